package dev.chimera.bench;

import dev.chimera.tensor.DType;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import dev.chimera.tensor.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Llama-shaped model folders with random weights, for benchmarks: real tensor names, shapes and config, values
 * ~N(0, 0.02) (fine-tunes add a smaller random offset to a shared base, as real fine-tunes do).
 */
public final class SyntheticModels {
    /** Architecture of the synthetic model. */
    public record Shape(int hidden, int intermediate, int layers, int vocab, int heads, int kvHeads) {
        public Map<String, long[]> tensors() {
            Map<String, long[]> s = new LinkedHashMap<>();
            int kv = hidden / heads * kvHeads;
            s.put("model.embed_tokens.weight", new long[] {vocab, hidden});
            for (int i = 0; i < layers; i++) {
                String p = "model.layers." + i + ".";
                s.put(p + "input_layernorm.weight", new long[] {hidden});
                s.put(p + "self_attn.q_proj.weight", new long[] {hidden, hidden});
                s.put(p + "self_attn.k_proj.weight", new long[] {kv, hidden});
                s.put(p + "self_attn.v_proj.weight", new long[] {kv, hidden});
                s.put(p + "self_attn.o_proj.weight", new long[] {hidden, hidden});
                s.put(p + "post_attention_layernorm.weight", new long[] {hidden});
                s.put(p + "mlp.gate_proj.weight", new long[] {intermediate, hidden});
                s.put(p + "mlp.up_proj.weight", new long[] {intermediate, hidden});
                s.put(p + "mlp.down_proj.weight", new long[] {hidden, intermediate});
            }
            s.put("model.norm.weight", new long[] {hidden});
            s.put("lm_head.weight", new long[] {vocab, hidden});
            return s;
        }

        public long parameters() {
            return tensors().values().stream()
                    .mapToLong(d -> {
                        long n = 1;
                        for (long x : d) {
                            n *= x;
                        }
                        return n;
                    })
                    .sum();
        }
    }

    private SyntheticModels() {}

    /**
     * Writes a bf16 model folder. {@code variant} 0 is the base; others are base + 0.2 x independent noise,
     * so task vectors are small relative to weights, like real fine-tunes.
     */
    public static void write(Path dir, Shape shape, long seed, int variant) throws IOException {
        Files.createDirectories(dir);
        List<TensorSpec> specs = new ArrayList<>();
        shape.tensors().forEach((n, d) -> specs.add(new TensorSpec(n, DType.BF16, d)));
        try (ShardedSafetensorsWriter w =
                new ShardedSafetensorsWriter(dir, specs, ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES)) {
            int idx = 0;
            for (TensorSpec s : specs) {
                long n = s.numel();
                ByteBuffer buf = ByteBuffer.allocateDirect((int) (n * 2)).order(ByteOrder.LITTLE_ENDIAN);
                SplittableRandom base = new SplittableRandom(seed * 1_000_003L + idx);
                SplittableRandom noise = new SplittableRandom(seed * 7_919L + idx * 31L + variant * 1_000_000_007L);
                boolean norm = s.rank() == 1;
                for (long i = 0; i < n; i++) {
                    float v = norm ? 1f + 0.05f * (float) base.nextGaussian() : 0.02f * (float) base.nextGaussian();
                    if (variant > 0) {
                        v += 0.004f * (float) noise.nextGaussian();
                    }
                    int bits = Float.floatToRawIntBits(v);
                    buf.putShort((short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16));
                }
                buf.flip();
                w.write(s.name(), buf);
                idx++;
            }
            w.finish();
        }
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": %d, "intermediate_size": %d,
                 "num_hidden_layers": %d, "num_attention_heads": %d, "num_key_value_heads": %d, "vocab_size": %d,
                 "tie_word_embeddings": false, "torch_dtype": "bfloat16", "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
                 "max_position_embeddings": 2048, "hidden_act": "silu"}
                """.formatted(
                shape.hidden(), shape.intermediate(), shape.layers(), shape.heads(), shape.kvHeads(), shape.vocab()));
    }
}
