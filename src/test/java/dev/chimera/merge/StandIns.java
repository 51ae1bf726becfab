package dev.chimera.merge;

import dev.chimera.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Small stand-in checkpoints of the architectures Chimera has definitions for, with the tensor names written from
 * transformers' modeling files (not from Chimera's definitions, so a wrong definition shows up as a failed merge).
 * Hidden size 8, intermediate 12, vocabulary 16, float32, seeded N(0, 1) values.
 */
final class StandIns {
    static final int H = 8;
    static final int I = 12;
    static final int V = 16;
    static final int EXPERTS = 2;

    private StandIns() {}

    /** Layer tensors of one layer into {@code s}, given the layer's name prefix. */
    private static Map<String, long[]> layers(
            String prefix, int layers, BiConsumer<String, Map<String, long[]>> layer) {
        Map<String, long[]> s = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            layer.accept(prefix + l + ".", s);
        }
        return s;
    }

    private static void attention(String p, Map<String, long[]> s, boolean bias, boolean norms) {
        s.put(p + "self_attn.q_proj.weight", new long[] {H, H});
        s.put(p + "self_attn.k_proj.weight", new long[] {H / 2, H});
        s.put(p + "self_attn.v_proj.weight", new long[] {H / 2, H});
        s.put(p + "self_attn.o_proj.weight", new long[] {H, H});
        if (bias) {
            s.put(p + "self_attn.q_proj.bias", new long[] {H});
            s.put(p + "self_attn.k_proj.bias", new long[] {H / 2});
            s.put(p + "self_attn.v_proj.bias", new long[] {H / 2});
        }
        if (norms) {
            s.put(p + "self_attn.q_norm.weight", new long[] {H / 2});
            s.put(p + "self_attn.k_norm.weight", new long[] {H / 2});
        }
    }

    private static void denseMlp(String p, Map<String, long[]> s) {
        s.put(p + "mlp.gate_proj.weight", new long[] {I, H});
        s.put(p + "mlp.up_proj.weight", new long[] {I, H});
        s.put(p + "mlp.down_proj.weight", new long[] {H, I});
    }

    /** Qwen2 (q/k/v biases) or Qwen3 (q/k norms) with an untied head. */
    static Map<String, long[]> qwen(int layers, boolean qwen3) {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new long[] {V, H});
        s.putAll(layers("model.layers.", layers, (p, m) -> {
            m.put(p + "input_layernorm.weight", new long[] {H});
            attention(p, m, !qwen3, qwen3);
            m.put(p + "post_attention_layernorm.weight", new long[] {H});
            denseMlp(p, m);
        }));
        s.put("model.norm.weight", new long[] {H});
        s.put("lm_head.weight", new long[] {V, H});
        return s;
    }

    /** GPT-2 as GPT2LMHeadModel saves it ({@code transformer.} names, tied head), or as older checkpoints do. */
    static Map<String, long[]> gpt2(int layers, boolean oldNames) {
        String t = oldNames ? "" : "transformer.";
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put(t + "wte.weight", new long[] {V, H});
        s.put(t + "wpe.weight", new long[] {32, H});
        s.putAll(layers(t + "h.", layers, (p, m) -> {
            m.put(p + "ln_1.weight", new long[] {H});
            m.put(p + "ln_1.bias", new long[] {H});
            m.put(p + "attn.c_attn.weight", new long[] {H, 3 * H});
            m.put(p + "attn.c_attn.bias", new long[] {3 * H});
            m.put(p + "attn.c_proj.weight", new long[] {H, H});
            m.put(p + "attn.c_proj.bias", new long[] {H});
            if (oldNames) {
                m.put(p + "attn.bias", new long[] {1, 1, 4, 4}); // the causal-mask buffer old checkpoints carry
            }
            m.put(p + "ln_2.weight", new long[] {H});
            m.put(p + "ln_2.bias", new long[] {H});
            m.put(p + "mlp.c_fc.weight", new long[] {H, 4 * H});
            m.put(p + "mlp.c_fc.bias", new long[] {4 * H});
            m.put(p + "mlp.c_proj.weight", new long[] {4 * H, H});
            m.put(p + "mlp.c_proj.bias", new long[] {H});
        }));
        s.put(t + "ln_f.weight", new long[] {H});
        s.put(t + "ln_f.bias", new long[] {H});
        return s;
    }

    /** Gemma 2 (pre/post feed-forward norms) or Gemma 3 text (and q/k norms), tied head; {@code prefix} for VL. */
    static Map<String, long[]> gemma(int layers, boolean gemma3, String prefix) {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put(prefix + "model.embed_tokens.weight", new long[] {V, H});
        s.putAll(layers(prefix + "model.layers.", layers, (p, m) -> {
            m.put(p + "input_layernorm.weight", new long[] {H});
            attention(p, m, false, gemma3);
            m.put(p + "post_attention_layernorm.weight", new long[] {H});
            m.put(p + "pre_feedforward_layernorm.weight", new long[] {H});
            denseMlp(p, m);
            m.put(p + "post_feedforward_layernorm.weight", new long[] {H});
        }));
        s.put(prefix + "model.norm.weight", new long[] {H});
        return s;
    }

    /** Gemma 3 with vision: the text decoder, a SigLIP vision tower and the projector. */
    static Map<String, long[]> gemma3Vl(int textLayers, int visionLayers) {
        Map<String, long[]> s = gemma(textLayers, true, "language_model.");
        String v = "vision_tower.vision_model.";
        s.put(v + "embeddings.patch_embedding.weight", new long[] {H, 3, 2, 2});
        s.put(v + "embeddings.patch_embedding.bias", new long[] {H});
        s.put(v + "embeddings.position_embedding.weight", new long[] {4, H});
        s.putAll(layers(v + "encoder.layers.", visionLayers, (p, m) -> {
            for (String n : List.of("layer_norm1", "layer_norm2")) {
                m.put(p + n + ".weight", new long[] {H});
                m.put(p + n + ".bias", new long[] {H});
            }
            for (String n : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                m.put(p + "self_attn." + n + ".weight", new long[] {H, H});
                m.put(p + "self_attn." + n + ".bias", new long[] {H});
            }
            m.put(p + "mlp.fc1.weight", new long[] {I, H});
            m.put(p + "mlp.fc1.bias", new long[] {I});
            m.put(p + "mlp.fc2.weight", new long[] {H, I});
            m.put(p + "mlp.fc2.bias", new long[] {H});
        }));
        s.put(v + "post_layernorm.weight", new long[] {H});
        s.put(v + "post_layernorm.bias", new long[] {H});
        s.put("multi_modal_projector.mm_input_projection_weight", new long[] {H, H});
        s.put("multi_modal_projector.mm_soft_emb_norm.weight", new long[] {H});
        return s;
    }

    /** Granite (GraniteForCausalLM with attention_bias and mlp_bias): Llama names with every bias, untied head. */
    static Map<String, long[]> granite(int layers) {
        Map<String, long[]> s = qwen(layers, false);
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            s.put(p + "self_attn.o_proj.bias", new long[] {H});
            s.put(p + "mlp.gate_proj.bias", new long[] {I});
            s.put(p + "mlp.up_proj.bias", new long[] {I});
            s.put(p + "mlp.down_proj.bias", new long[] {H});
        }
        return s;
    }

    /** Phi-3: fused qkv and gate/up projections, untied head. */
    static Map<String, long[]> phi3(int layers) {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new long[] {V, H});
        s.putAll(layers("model.layers.", layers, (p, m) -> {
            m.put(p + "input_layernorm.weight", new long[] {H});
            m.put(p + "self_attn.qkv_proj.weight", new long[] {2 * H, H});
            m.put(p + "self_attn.o_proj.weight", new long[] {H, H});
            m.put(p + "post_attention_layernorm.weight", new long[] {H});
            m.put(p + "mlp.gate_up_proj.weight", new long[] {2 * I, H});
            m.put(p + "mlp.down_proj.weight", new long[] {H, I});
        }));
        s.put("model.norm.weight", new long[] {H});
        s.put("lm_head.weight", new long[] {V, H});
        return s;
    }

    /** Mixtral as stored on the hub (one tensor per expert) or as transformers 5 saves it (fused experts). */
    static Map<String, long[]> mixtral(int layers, boolean fused) {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new long[] {V, H});
        s.putAll(layers("model.layers.", layers, (p, m) -> {
            m.put(p + "input_layernorm.weight", new long[] {H});
            attention(p, m, false, false);
            m.put(p + "post_attention_layernorm.weight", new long[] {H});
            if (fused) {
                m.put(p + "mlp.gate.weight", new long[] {EXPERTS, H});
                m.put(p + "mlp.experts.gate_up_proj", new long[] {EXPERTS, 2 * I, H});
                m.put(p + "mlp.experts.down_proj", new long[] {EXPERTS, H, I});
            } else {
                m.put(p + "block_sparse_moe.gate.weight", new long[] {EXPERTS, H});
                for (int e = 0; e < EXPERTS; e++) {
                    String x = p + "block_sparse_moe.experts." + e + ".";
                    m.put(x + "w1.weight", new long[] {I, H});
                    m.put(x + "w2.weight", new long[] {H, I});
                    m.put(x + "w3.weight", new long[] {I, H});
                }
            }
        }));
        s.put("model.norm.weight", new long[] {H});
        s.put("lm_head.weight", new long[] {V, H});
        return s;
    }

    /** Qwen3-MoE with per-expert projections; the layers in {@code denseLayers} keep a dense MLP (mlp_only_layers). */
    static Map<String, long[]> qwen3Moe(int layers, List<Integer> denseLayers) {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new long[] {V, H});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            s.put(p + "input_layernorm.weight", new long[] {H});
            attention(p, s, false, true);
            s.put(p + "post_attention_layernorm.weight", new long[] {H});
            if (denseLayers.contains(l)) {
                denseMlp(p, s);
            } else {
                s.put(p + "mlp.gate.weight", new long[] {EXPERTS, H});
                for (int e = 0; e < EXPERTS; e++) {
                    String x = p + "mlp.experts." + e + ".";
                    s.put(x + "gate_proj.weight", new long[] {I, H});
                    s.put(x + "up_proj.weight", new long[] {I, H});
                    s.put(x + "down_proj.weight", new long[] {H, I});
                }
            }
        }
        s.put("model.norm.weight", new long[] {H});
        s.put("lm_head.weight", new long[] {V, H});
        return s;
    }

    /** Writes a folder: the tensors (seeded float32 values), config.json and a word-level tokenizer. */
    static Map<String, double[]> write(Path dir, Map<String, long[]> shapes, String configJson, long seed)
            throws IOException {
        return write(dir, shapes, configJson, DType.F32, seed);
    }

    /** As above, the values rounded to and stored in {@code dtype}. */
    static Map<String, double[]> write(Path dir, Map<String, long[]> shapes, String configJson, DType dtype, long seed)
            throws IOException {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < V; i++) {
            tokens.add("t" + i);
        }
        return TinyLlama.writeFolder(dir, shapes, dtype, configJson, tokens, seed);
    }
}
