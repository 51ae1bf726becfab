package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cli.CliRun;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import dev.chimera.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mergekit's model+adapter references: the adapter's s B A added to its target weights, as peft merges it. */
class LoraAdapterTest {
    static final String Q = "model.layers.0.self_attn.q_proj.weight";

    static ByteBuffer f32(double[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putFloat((float) x);
        }
        b.flip();
        return b;
    }

    /** A rank-2 adapter on layer 0's q_proj (8 x 8): A[k][j] = (k + 1) * 0.01 * (j - 3), B[i][k] = 0.1 * (i - k). */
    static Path adapter(Path dir, String config) throws Exception {
        Files.createDirectories(dir);
        double[] a = new double[2 * 8];
        double[] b = new double[8 * 2];
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 8; j++) {
                a[k * 8 + j] = (k + 1) * 0.01 * (j - 3);
            }
        }
        for (int i = 0; i < 8; i++) {
            for (int k = 0; k < 2; k++) {
                b[i * 2 + k] = 0.1 * (i - k);
            }
        }
        String an = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";
        String bn = "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight";
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(
                tmp,
                List.of(new TensorSpec(an, DType.F32, new long[] {2, 8}), new TensorSpec(bn, DType.F32, new long[] {8, 2
                })),
                ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES)) {
            w.write(an, f32(a));
            w.write(bn, f32(b));
            w.finish();
        }
        Files.move(tmp.resolve("model.safetensors"), dir.resolve("adapter_model.safetensors"));
        Files.writeString(dir.resolve("adapter_config.json"), config);
        return dir;
    }

    @Test
    void anAdapterIsAppliedAsPeftMergesItThenMergedLikeAnyModel(@TempDir Path tmp) throws Exception {
        System.setProperty("chimera.lora-cache", tmp.resolve("lora-cache").toString());
        try {
            new TinyLlama().write(tmp.resolve("base"), 1);
            Path base = tmp.resolve("base");
            adapter(tmp.resolve("lora"), "{\"r\": 2, \"lora_alpha\": 4, \"target_modules\": [\"q_proj\"]}");
            Path cfg = tmp.resolve("lora.yml");
            Files.writeString(
                    cfg,
                    "models:\n  - model: " + base + "+" + tmp.resolve("lora")
                            + "\n    parameters: {weight: 1.0}\nmerge_method: linear\n");
            CliRun r = CliRun.of("merge", cfg.toString(), tmp.resolve("out").toString());
            assertEquals(0, r.code(), r.err());
            Map<String, double[]> in = TinyLlama.read(base);
            Map<String, double[]> out = TinyLlama.read(tmp.resolve("out"));
            // by hand: W + (lora_alpha / r) B A = W + 2 sum_k B[i][k] A[k][j]
            double[] w = in.get(Q);
            double[] got = out.get(Q);
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    double d = 0;
                    for (int k = 0; k < 2; k++) {
                        d += 0.1 * (i - k) * (k + 1) * 0.01 * (j - 3);
                    }
                    assertEquals(w[i * 8 + j] + 2 * d, got[i * 8 + j], 1e-6, "q_proj[" + i + "][" + j + "]");
                }
            }
            // everything else as it was
            for (String name : in.keySet()) {
                if (!name.equals(Q)) {
                    assertEquals(Arrays.toString(in.get(name)), Arrays.toString(out.get(name)), name);
                }
            }
            // the applied model is made once and kept
            try (var s = Files.list(tmp.resolve("lora-cache"))) {
                assertEquals(1, s.count());
            }
            // mergekit's long form names the same thing
            Files.writeString(
                    cfg,
                    "models:\n  - model:\n      model: {path: " + base + "}\n      lora: {path: " + tmp.resolve("lora")
                            + "}\n    parameters: {weight: 1.0}\nmerge_method: linear\n");
            assertEquals(
                    0,
                    CliRun.of("merge", cfg.toString(), tmp.resolve("out2").toString())
                            .code());
            assertEquals(
                    Arrays.toString(got),
                    Arrays.toString(TinyLlama.read(tmp.resolve("out2")).get(Q)));
            // DoRA adapters change more than the B A delta: refused by name
            adapter(tmp.resolve("dora"), "{\"r\": 2, \"lora_alpha\": 4, \"use_dora\": true}");
            Files.writeString(
                    cfg,
                    "models:\n  - model: " + base + "+" + tmp.resolve("dora")
                            + "\n    parameters: {weight: 1.0}\nmerge_method: linear\n");
            CliRun dora = CliRun.of("merge", cfg.toString(), tmp.resolve("out3").toString());
            assertEquals(1, dora.code());
            assertTrue(dora.err().contains("DoRA adapters (use_dora) are not supported"), dora.err());
        } finally {
            System.clearProperty("chimera.lora-cache");
        }
    }
}
