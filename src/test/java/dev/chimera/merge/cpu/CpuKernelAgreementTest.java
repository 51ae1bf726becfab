package dev.chimera.merge.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeConfigYaml;
import dev.chimera.merge.MergeRunner;
import dev.chimera.merge.TinyLlama;
import dev.chimera.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused CPU kernels and the DJL methods must give the same tensors: each supported config is merged both ways
 * and compared element by element (same float32 operations, so differences stay within a few ulps).
 */
class CpuKernelAgreementTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void models() throws IOException {
        TinyLlama t = new TinyLlama();
        t.hidden = 16;
        t.intermediate = 24;
        t.dtype = DType.BF16;
        t.write(dir.resolve("base"), 11);
        t.write(dir.resolve("a"), 12);
        t.write(dir.resolve("b"), 13);
    }

    static Stream<Arguments> configs() {
        String ab = "models: [{model: $D/a, parameters: {weight: %s}}, {model: $D/b, parameters: {weight: %s}}]\n";
        String abd =
                "models: [{model: $D/a, parameters: {weight: %s, density: %s}}, {model: $D/b, parameters: {weight: %s, density: %s}}]\n"
                        + "base_model: $D/base\n";
        return Stream.of(
                Arguments.of("linear", ab.formatted("0.3", "0.9")),
                Arguments.of("linear", ab.formatted("1.0", "-0.5") + "parameters: {normalize: false}\n"),
                Arguments.of(
                        "task_arithmetic",
                        ab.formatted("0.7", "[0.2, 1.0]") + "base_model: $D/base\nparameters: {lambda: 0.8}\n"),
                Arguments.of("ties", abd.formatted("0.6", "0.4", "0.5", "0.7")),
                Arguments.of("task_arithmetic", abd.formatted("0.6", "0.4", "0.5", "0.7")), // density is ignored
                Arguments.of(
                        "ties",
                        abd.formatted("1.0", "0.3", "-0.4", "1.0") + "parameters: {normalize: false, rescale: true}\n"),
                Arguments.of("dare_ties", abd.formatted("0.6", "0.5", "0.5", "0.3")),
                Arguments.of(
                        "dare_linear", abd.formatted("0.6", "0.5", "0.5", "0.9") + "parameters: {rescale: false}\n"),
                Arguments.of("dare_linear", abd.formatted("0.6", "0.2", "0.5", "0.9")),
                Arguments.of(
                        "slerp",
                        "models: [{model: $D/base}, {model: $D/a}]\nbase_model: $D/base\nparameters: {t: [0.1, 0.9]}\n"));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void kernelAndDjlAgree(String method, String body) throws IOException {
        String yaml = body.replace("$D", dir.toString()) + "\nmerge_method: " + method + "\nout_dtype: float32\n";
        MergeConfig cfg = MergeConfigYaml.parse(yaml, method);
        String tag = method + Math.abs(body.hashCode());
        Path fast = dir.resolve("fast-" + tag);
        Path slow = dir.resolve("slow-" + tag);
        MergeRunner.Options o = new MergeRunner.Options("cpu", 5, Long.MAX_VALUE, 2, true);
        long before = CpuKernels.tensorsMerged();
        MergeRunner.Result r = MergeRunner.run(cfg, dir, fast, o, new MergeRunner.Listener() {});
        assertEquals(
                r.plan().tensors().size(), CpuKernels.tensorsMerged() - before, "every tensor went through a kernel");
        MergeRunner.run(cfg, dir, slow, o.withCpuKernels(false), new MergeRunner.Listener() {});
        assertEquals(r.plan().tensors().size(), CpuKernels.tensorsMerged() - before, "and none the second time");
        Map<String, double[]> f = TinyLlama.read(fast);
        Map<String, double[]> s = TinyLlama.read(slow);
        assertEquals(s.keySet(), f.keySet());
        for (String k : s.keySet()) {
            double[] x = f.get(k);
            double[] y = s.get(k);
            for (int i = 0; i < x.length; i++) {
                double tol = 1e-6 * Math.max(1, Math.abs(y[i]));
                assertTrue(
                        Math.abs(x[i] - y[i]) <= tol,
                        method + " " + k + "[" + i + "]: kernel " + x[i] + " vs djl " + y[i]);
            }
        }
    }
}
