package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @Test
    void aFileWrittenWholeGetsTheModeOfAnyOtherFileAndNoTemporaryIsLeft(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path plain = Files.createFile(dir.resolve("plain"));
        AtomicFiles.writeString(dir.resolve("whole.json"), "{}");
        AtomicFiles.writeString(dir.resolve("whole.json"), "{\"a\": 1}");
        assertEquals(
                PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("whole.json"))));
        assertEquals("{\"a\": 1}", Files.readString(dir.resolve("whole.json")));
        try (var s = Files.list(dir)) {
            assertEquals(
                    List.of("plain", "whole.json"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
