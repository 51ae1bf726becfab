package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child JVM killed with SIGTERM (what Ctrl-C amounts to) must delete its temporary output. */
class OutputFolderShutdownTest {
    @TempDir
    Path parent;

    /** Child: starts an output folder, reports its temp dir, then waits to be killed. */
    public static void main(String[] args) throws Exception {
        OutputFolder out = OutputFolder.begin(Paths.get(args[0]), false);
        Files.writeString(out.tempDir().resolve("model.safetensors"), "partial");
        System.out.println(out.tempDir());
        System.out.flush();
        Thread.sleep(60_000);
    }

    @Test
    void sigtermDeletesUncommittedTempDir() throws Exception {
        Path target = parent.resolve("merged");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        OutputFolderShutdownTest.class.getName(),
                        target.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            String line;
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                line = r.readLine();
                assertNotNull(line, "child printed nothing");
                Path temp = Paths.get(line);
                assertTrue(Files.exists(temp.resolve("model.safetensors")));
                child.destroy(); // SIGTERM: shutdown hooks run
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not exit");
                assertFalse(Files.exists(temp), "temp dir survived: " + temp);
                assertFalse(Files.exists(target));
            }
        } finally {
            child.destroyForcibly();
        }
    }
}
