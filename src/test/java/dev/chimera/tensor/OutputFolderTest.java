package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFolderTest {
    @TempDir
    Path parent;

    private List<String> listing() throws Exception {
        try (var s = Files.list(parent)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void commitRenamesTheTemporarySiblingIntoPlace() throws Exception {
        Path target = parent.resolve("merged");
        try (OutputFolder out = OutputFolder.begin(target, false)) {
            assertEquals(parent, out.tempDir().getParent());
            assertTrue(out.tempDir().getFileName().toString().startsWith(".merged.tmp-"));
            assertFalse(Files.exists(target));
            Files.writeString(out.tempDir().resolve("config.json"), "{}");
            assertTrue(TempDirCleanup.isRegistered(out));
            out.commit();
            assertTrue(out.isCommitted());
            assertFalse(TempDirCleanup.isRegistered(out));
            assertThrows(IllegalStateException.class, out::commit);
        }
        assertEquals("{}", Files.readString(target.resolve("config.json")));
        assertEquals(List.of("merged"), listing());
    }

    @Test
    void existingTargetIsRefusedWithoutForce() throws Exception {
        Path target = Files.createDirectory(parent.resolve("merged"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> OutputFolder.begin(target, false));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertTrue(e.getMessage().contains(target.toString()));
        assertEquals(List.of("merged"), listing());
    }

    @Test
    void forceReplacesAnOldModelFolder() throws Exception {
        Path target = Files.createDirectory(parent.resolve("merged"));
        Files.writeString(target.resolve("config.json"), "old");
        Files.writeString(target.resolve("stale.safetensors"), "old");
        try (OutputFolder out = OutputFolder.begin(target, true)) {
            Files.writeString(out.tempDir().resolve("config.json"), "new");
            out.commit();
        }
        assertEquals("new", Files.readString(target.resolve("config.json")));
        assertFalse(Files.exists(target.resolve("stale.safetensors")));
        assertEquals(List.of("merged"), listing());
    }

    @Test
    void forceRefusesToReplaceSomethingThatIsNotAModelFolder() throws Exception {
        Path target = Files.createDirectory(parent.resolve("home"));
        Files.writeString(target.resolve("notes.txt"), "precious");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> OutputFolder.begin(target, true));
        assertTrue(e.getMessage().contains("refusing"), e.getMessage());
        Path file = Files.writeString(parent.resolve("file"), "x");
        assertThrows(UncheckedIOException.class, () -> OutputFolder.begin(file, true));
        Path empty = Files.createDirectory(parent.resolve("empty"));
        try (OutputFolder out = OutputFolder.begin(empty, true)) {
            out.commit();
        }
        assertEquals("precious", Files.readString(target.resolve("notes.txt")));
    }

    @Test
    void abortAndCloseLeaveNothing() throws Exception {
        Path target = parent.resolve("merged");
        OutputFolder out = OutputFolder.begin(target, false);
        Files.createDirectories(out.tempDir().resolve("a/b"));
        Files.writeString(out.tempDir().resolve("a/b/c.safetensors"), "x");
        out.abort();
        out.abort(); // idempotent
        assertFalse(TempDirCleanup.isRegistered(out));
        assertThrows(IllegalStateException.class, out::commit);
        assertEquals(List.of(), listing());
    }

    @Test
    void anExceptionInsideTryWithResourcesLeavesNothing() throws Exception {
        Path target = parent.resolve("merged");
        assertThrows(IllegalStateException.class, () -> {
            try (OutputFolder out = OutputFolder.begin(target, false)) {
                try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(
                        out.tempDir(), List.of(new TensorSpec("a", DType.F32, new long[] {2})), 0)) {
                    w.finish(); // "a" never written
                }
                out.commit();
            }
        });
        assertEquals(List.of(), listing());
    }

    @Test
    void targetAppearingBeforeCommitIsRefusedAndTempRemoved() throws Exception {
        Path target = parent.resolve("merged");
        OutputFolder out = OutputFolder.begin(target, false);
        Files.createDirectory(target);
        assertThrows(UncheckedIOException.class, out::commit);
        assertEquals(List.of("merged"), listing());
    }

    @Test
    void symlinksInsideTheTempDirAreNotFollowedOnDelete() throws Exception {
        Path outside = Files.createDirectory(parent.resolve("keep"));
        Files.writeString(outside.resolve("x"), "x");
        OutputFolder out = OutputFolder.begin(parent.resolve("merged"), false);
        Files.createSymbolicLink(out.tempDir().resolve("link"), outside);
        out.abort();
        assertTrue(Files.exists(outside.resolve("x")));
        assertEquals(List.of("keep"), listing());
    }

    @Test
    void shutdownCleanupDeletesOnlyUncommittedFolders() throws Exception {
        OutputFolder pending = OutputFolder.begin(parent.resolve("a"), false);
        OutputFolder done = OutputFolder.begin(parent.resolve("b"), false);
        done.commit();
        pending.abortFromShutdown();
        done.abortFromShutdown();
        assertEquals(List.of("b"), listing());
        pending.close();
    }

    @Test
    void createsMissingParents() throws Exception {
        Path target = parent.resolve("x/y/merged");
        try (OutputFolder out = OutputFolder.begin(target, false)) {
            out.commit();
        }
        assertTrue(Files.isDirectory(target));
    }
}
