package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * One config merged by Chimera (into {@code chimera-NAME}) and by real mergekit (into {@code mergekit-NAME}) for the
 * optional oracle tests; mergekit is the executable CHIMERA_MERGEKIT names, never a dependency.
 *
 * @param exit mergekit's exit code
 * @param log  mergekit's output (stdout and stderr)
 */
record MergekitRun(int exit, String log) {
    /** The mergekit-yaml executable, or the calling test is skipped. */
    static String executable() {
        String mergekit = System.getenv("CHIMERA_MERGEKIT");
        Assumptions.assumeTrue(
                mergekit != null && Files.isExecutable(Path.of(mergekit)),
                "CHIMERA_MERGEKIT is not set to a mergekit-yaml executable");
        return mergekit;
    }

    /** Merges {@code cfg} with both tools into {@code dir}; Chimera must succeed, mergekit's outcome is returned. */
    static MergekitRun both(String mergekit, Path cfg, Path dir, String name) throws IOException, InterruptedException {
        CliRun r = CliRun.of(
                "merge", cfg.toString(), dir.resolve("chimera-" + name).toString());
        assertEquals(0, r.code(), r.err());
        Path log = dir.resolve("mergekit-" + name + ".log");
        Process p = new ProcessBuilder(
                        mergekit,
                        cfg.toString(),
                        dir.resolve("mergekit-" + name).toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "mergekit timed out on " + name);
        return new MergekitRun(p.exitValue(), Files.readString(log));
    }

    /** Asserts that mergekit succeeded. */
    MergekitRun succeeded() {
        assertEquals(0, exit, "mergekit failed: " + log);
        return this;
    }
}
