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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "linear|models: [{model: $D/a, parameters: {weight: 0.3}}, {model: $D/b, parameters: {weight: 0.9}}]",
        "linear|models: [{model: $D/a, parameters: {weight: 1.0}}, {model: $D/b, parameters: {weight: -0.5}}]\nparameters: {normalize: false}",
        "task_arithmetic|models: [{model: $D/a, parameters: {weight: 0.7}}, {model: $D/b, parameters: {weight: [0.2, 1.0]}}]\nbase_model: $D/base\nparameters: {lambda: 0.8}",
        "ties|models: [{model: $D/a, parameters: {weight: 0.6, density: 0.4}}, {model: $D/b, parameters: {weight: 0.5, density: 0.7}}]\nbase_model: $D/base",
        "ties|models: [{model: $D/a, parameters: {weight: 1.0, density: 0.3}}, {model: $D/b, parameters: {weight: -0.4, density: 1.0}}]\nbase_model: $D/base\nparameters: {normalize: false, rescale: true}",
        "dare_ties|models: [{model: $D/a, parameters: {weight: 0.6, density: 0.5}}, {model: $D/b, parameters: {weight: 0.5, density: 0.3}}]\nbase_model: $D/base",
        "dare_linear|models: [{model: $D/a, parameters: {weight: 0.6, density: 0.5}}, {model: $D/b, parameters: {weight: 0.5, density: 0.9}}]\nbase_model: $D/base\nparameters: {rescale: false}",
        "slerp|models: [{model: $D/base}, {model: $D/a}]\nbase_model: $D/base\nparameters: {t: [0.1, 0.9]}",
    })
    void kernelAndDjlAgree(String method, String body) throws IOException {
        String yaml = body.replace("\\n", "\n").replace("$D", dir.toString()) + "\nmerge_method: " + method + "\nout_dtype: float32\n";
        MergeConfig cfg = MergeConfigYaml.parse(yaml, method);
        String tag = method + Math.abs(body.hashCode());
        Path fast = dir.resolve("fast-" + tag);
        Path slow = dir.resolve("slow-" + tag);
        MergeRunner.Options o = new MergeRunner.Options("cpu", 5, Long.MAX_VALUE, 2, true);
        MergeRunner.run(cfg, dir, fast, o, new MergeRunner.Listener() { });
        MergeRunner.run(cfg, dir, slow, o.withCpuKernels(false), new MergeRunner.Listener() { });
        Map<String, double[]> f = TinyLlama.read(fast);
        Map<String, double[]> s = TinyLlama.read(slow);
        assertEquals(s.keySet(), f.keySet());
        for (String k : s.keySet()) {
            double[] x = f.get(k);
            double[] y = s.get(k);
            for (int i = 0; i < x.length; i++) {
                double tol = 1e-6 * Math.max(1, Math.abs(y[i]));
                assertTrue(Math.abs(x[i] - y[i]) <= tol, method + " " + k + "[" + i + "]: kernel " + x[i] + " vs djl " + y[i]);
            }
        }
    }
}
