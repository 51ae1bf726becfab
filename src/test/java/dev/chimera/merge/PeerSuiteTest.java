package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cli.CliRun;
import dev.chimera.tensor.HfConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The peer suite through {@code chimera merge}, against the independent reference ({@link PeerSuite}). */
class PeerSuiteTest {
    @TempDir
    static Path dir;

    static Map<String, Map<String, double[]>> inputs;

    @BeforeAll
    static void models() throws IOException {
        inputs = PeerSuite.writeModels(dir);
    }

    static Stream<PeerSuite.Case> cases() {
        return PeerSuite.cases().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mergeMatchesTheReference(PeerSuite.Case c) throws IOException {
        Path cfg = MergeCliTestSupport.config(dir, c.name(), c.yaml());
        Path out = dir.resolve("out-" + c.name());
        CliRun r = CliRun.of("merge", cfg.toString(), out.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, double[]> got = TinyLlama.read(out);
        Map<String, double[]> want = c.expected().apply(inputs);
        assertEquals(new TreeSet<>(want.keySet()), new TreeSet<>(got.keySet()), c.name() + ": tensor names");
        for (var e : want.entrySet()) {
            MergeCliTest.close(e.getValue(), got.get(e.getKey()), c.tolerance(), c.name() + " " + e.getKey());
        }
        HfConfig config = HfConfig.read(out);
        c.layerKeys().forEach((key, n) -> assertEquals(n, config.intAt(key), c.name() + ": " + key));
    }

    @Test
    void oldCheckpointBuffersAreReportedAndNotWritten() throws IOException {
        Path cfg = MergeCliTestSupport.config(
                dir, "buffers", PeerSuite.cases().get(0).yaml());
        CliRun r = CliRun.of("merge", cfg.toString(), dir.resolve("out-buffers").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains("note: 2 input tensors are not part of architecture gpt2 and are not written: "
                                + dir.resolve("g2old") + ": h.0.attn.bias"),
                r.err());
    }
}
