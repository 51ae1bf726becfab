package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first run on a clean machine: a fresh JVM with an empty DJL cache and offline mode starts the PyTorch engine
 * from the native library bundled in the pytorch-native-cpu jar (extracted, not downloaded).
 */
class OfflineEngineTest {
    /** Child process entry point. */
    public static void main(String[] args) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float sum = m.create(new float[] {1, 2, 3}).sum().getFloat();
            System.out.println("sum=" + sum);
        }
    }

    @Test
    void engineStartsOfflineFromAnEmptyCache(@TempDir Path cache) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(
                java,
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                OfflineEngineTest.class.getName()));
        pb.environment().put("DJL_CACHE_DIR", cache.toString());
        pb.environment().put("ENGINE_CACHE_DIR", cache.toString());
        pb.redirectErrorStream(true);
        File log = cache.resolve("child.log").toFile();
        pb.redirectOutput(log);
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child JVM timed out");
        String out = Files.readString(log.toPath());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("sum=6.0"), out);
        try (Stream<Path> s = Files.walk(cache)) {
            assertTrue(
                    s.anyMatch(f -> f.getFileName().toString().startsWith("libtorch_cpu")),
                    "native library extracted into the empty cache");
        }
    }
}
