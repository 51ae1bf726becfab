package dev.chimera.merge;

import static dev.chimera.merge.StandIns.H;
import static dev.chimera.merge.StandIns.I;
import static dev.chimera.merge.StandIns.V;

import dev.chimera.merge.arch.Architectures;
import dev.chimera.search.genome.ParamGene;
import dev.chimera.search.genome.ParameterGenome;
import dev.chimera.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peer suite: merge configs written for Chimera's own stand-in models that exercise what mergekit's examples
 * and tests exercise beyond the Llama family (architectures with other names, aliases of old checkpoints, tied and
 * untied heads, optional weights, experts in both layouts, frankenmerges, multi-module models with {@code modules:},
 * gradients and filters, module-level parameters, a genome's recipe on a non-Llama model). Each case carries its
 * expected tensors, worked out from the formulas ({@link Reference}) with the tensor names written by hand.
 */
final class PeerSuite {
    private PeerSuite() {}

    /**
     * One config: its YAML ($D is the folder of the models), the expected output (all tensors, by name) from the
     * inputs' values, and config.json keys with their expected layer counts.
     */
    record Case(
            String name,
            String yaml,
            Function<Map<String, Map<String, double[]>>, Map<String, double[]>> expected,
            Map<String, Integer> layerKeys,
            double tolerance) {
        /** A float32 case: Chimera and the double-precision reference agree to float32 rounding. */
        Case(
                String name,
                String yaml,
                Function<Map<String, Map<String, double[]>>, Map<String, double[]>> expected,
                Map<String, Integer> layerKeys) {
            this(name, yaml, expected, layerKeys, 2e-5);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Pattern LAYER = Pattern.compile("\\.(?:layers|h)\\.(\\d+)\\.");

    /** Writes every input model into {@code dir}; returns their values by folder name. */
    static Map<String, Map<String, double[]>> writeModels(Path dir) throws IOException {
        Map<String, Map<String, double[]>> m = new LinkedHashMap<>();
        String gpt2 =
                "{\"architectures\": [\"GPT2LMHeadModel\"], \"model_type\": \"gpt2\", \"n_embd\": %d, \"n_layer\": 2,"
                                .formatted(H)
                        + " \"n_head\": 2, \"n_positions\": 32, \"vocab_size\": %d, \"torch_dtype\": \"float32\"}"
                                .formatted(V);
        m.put("g2new", StandIns.write(dir.resolve("g2new"), StandIns.gpt2(2, false), gpt2, 1));
        m.put("g2old", StandIns.write(dir.resolve("g2old"), StandIns.gpt2(2, true), gpt2, 2));
        m.put("g2other", StandIns.write(dir.resolve("g2other"), StandIns.gpt2(2, false), gpt2, 21));
        String gemma2 = llamaLike("Gemma2ForCausalLM", "gemma2", 3, ", \"head_dim\": 4, \"tie_word_embeddings\": true");
        m.put("gm2base", StandIns.write(dir.resolve("gm2base"), StandIns.gemma(3, false, ""), gemma2, 3));
        m.put("gm2a", StandIns.write(dir.resolve("gm2a"), StandIns.gemma(3, false, ""), gemma2, 4));
        String gemma3 =
                llamaLike("Gemma3ForCausalLM", "gemma3_text", 2, ", \"head_dim\": 4, \"tie_word_embeddings\": true");
        m.put("gm3base", StandIns.write(dir.resolve("gm3base"), StandIns.gemma(2, true, ""), gemma3, 5));
        m.put("gm3a", StandIns.write(dir.resolve("gm3a"), StandIns.gemma(2, true, ""), gemma3, 6));
        m.put("gm3b", StandIns.write(dir.resolve("gm3b"), StandIns.gemma(2, true, ""), gemma3, 7));
        String phi3 = llamaLike("Phi3ForCausalLM", "phi3", 2, "");
        m.put("phbase", StandIns.write(dir.resolve("phbase"), StandIns.phi3(2), phi3, 8));
        m.put("pha", StandIns.write(dir.resolve("pha"), StandIns.phi3(2), phi3, 9));
        m.put("phb", StandIns.write(dir.resolve("phb"), StandIns.phi3(2), phi3, 10));
        String mixtral =
                llamaLike("MixtralForCausalLM", "mixtral", 2, ", \"num_local_experts\": 2, \"num_experts_per_tok\": 1");
        m.put("mxa", StandIns.write(dir.resolve("mxa"), StandIns.mixtral(2, false), mixtral, 11));
        m.put("mxb", StandIns.write(dir.resolve("mxb"), StandIns.mixtral(2, false), mixtral, 12));
        m.put("mfbase", StandIns.write(dir.resolve("mfbase"), StandIns.mixtral(2, true), mixtral, 15));
        m.put("mfa", StandIns.write(dir.resolve("mfa"), StandIns.mixtral(2, true), mixtral, 16));
        String qwen3Moe = llamaLike(
                "Qwen3MoeForCausalLM",
                "qwen3_moe",
                2,
                ", \"head_dim\": 4, \"num_experts\": 2, \"num_experts_per_tok\": 1, \"moe_intermediate_size\": " + I
                        + ", \"mlp_only_layers\": [1], \"decoder_sparse_step\": 1");
        m.put("qma", StandIns.write(dir.resolve("qma"), StandIns.qwen3Moe(2, List.of(1)), qwen3Moe, 13));
        m.put("qmb", StandIns.write(dir.resolve("qmb"), StandIns.qwen3Moe(2, List.of(1)), qwen3Moe, 14));
        String qwen2 = llamaLike("Qwen2ForCausalLM", "qwen2", 2, "");
        m.put("q2base", StandIns.write(dir.resolve("q2base"), StandIns.qwen(2, false), qwen2, 19));
        m.put("q2a", StandIns.write(dir.resolve("q2a"), StandIns.qwen(2, false), qwen2, 20));
        String vl = """
                {"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", "torch_dtype": "float32",
                 "text_config": {"model_type": "gemma3_text", "hidden_size": %d, "intermediate_size": %d,
                   "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 4,
                   "vocab_size": %d},
                 "vision_config": {"model_type": "siglip_vision_model", "hidden_size": %d, "intermediate_size": %d,
                   "num_hidden_layers": 2, "num_attention_heads": 2, "patch_size": 2, "image_size": 4}}
                """.formatted(H, I, V, H, I);
        m.put("vla", StandIns.write(dir.resolve("vla"), StandIns.gemma3Vl(2, 2), vl, 17));
        m.put("vlb", StandIns.write(dir.resolve("vlb"), StandIns.gemma3Vl(2, 2), vl, 18));
        // Llama-family models stored in float16, for the configs of mergekit's examples (dtype: float16)
        TinyLlama l16 = new TinyLlama();
        l16.layers = 5;
        l16.hidden = 16; // density 0.1 of mergekit's ties.yml keeps int(0.1 * 16) = 1 entry of a norm, not 0
        l16.intermediate = 24;
        l16.dtype = DType.F16;
        for (String n : List.of("l16base", "l16a", "l16b", "l16c")) {
            m.put(n, l16.write(dir.resolve(n), 31 + m.size()));
        }
        String granite =
                llamaLike("GraniteForCausalLM", "granite", 2, ", \"attention_bias\": true, \"mlp_bias\": true");
        m.put("gra", StandIns.write(dir.resolve("gra"), StandIns.granite(2), granite, DType.BF16, 41));
        m.put("grb", StandIns.write(dir.resolve("grb"), StandIns.granite(2), granite, DType.BF16, 42));
        return m;
    }

    private static String llamaLike(String cls, String type, int layers, String extra) {
        return ("{\"architectures\": [\"%s\"], \"model_type\": \"%s\", \"hidden_size\": %d, \"intermediate_size\": %d,"
                        + " \"num_hidden_layers\": %d, \"num_attention_heads\": 2, \"num_key_value_heads\": 1,"
                        + " \"vocab_size\": %d, \"torch_dtype\": \"float32\"%s}")
                .formatted(cls, type, H, I, layers, V, extra);
    }

    static List<Case> cases() {
        return List.of(
                new Case(
                        "gpt2_linear_aliases",
                        """
                        models:
                          - model: $D/g2new
                            parameters: {weight: 0.3}
                          - model: $D/g2old
                            parameters: {weight: 0.7}
                        merge_method: linear
                        """,
                        in -> each(
                                StandIns.gpt2(2, false),
                                n -> Reference.linear(
                                        List.of(
                                                in.get("g2new").get(n),
                                                in.get("g2old").get(n.substring("transformer.".length()))),
                                        new double[] {0.3, 0.7},
                                        true)),
                        Map.of("n_layer", 2)),
                new Case(
                        "gemma2_slerp_gradient_filter",
                        """
                        models:
                          - model: $D/gm2base
                          - model: $D/gm2a
                        merge_method: slerp
                        base_model: $D/gm2base
                        parameters:
                          t:
                            - filter: self_attn
                              value: [0.1, 0.9]
                            - value: 0.4
                        """,
                        in -> each(StandIns.gemma(3, false, ""), n -> {
                            // layer j of 3 sits at j / 2 of the gradient; pre and post weights are planned at t = 0
                            double t = n.contains("self_attn") ? 0.1 + 0.8 * layer(n) / 2.0 : 0.4;
                            return Reference.slerp(
                                    t, in.get("gm2base").get(n), in.get("gm2a").get(n));
                        }),
                        Map.of("num_hidden_layers", 3)),
                new Case(
                        "gemma3_task_arithmetic_tied",
                        """
                        models:
                          - model: $D/gm3a
                            parameters: {weight: 0.5}
                          - model: $D/gm3b
                            parameters: {weight: 0.8}
                        merge_method: task_arithmetic
                        base_model: $D/gm3base
                        """,
                        in -> each(
                                StandIns.gemma(2, true, ""),
                                n -> Reference.gta(
                                        in.get("gm3base").get(n),
                                        List.of(
                                                in.get("gm3a").get(n),
                                                in.get("gm3b").get(n)),
                                        new double[] {0.5, 0.8},
                                        new double[] {1, 1},
                                        false,
                                        false,
                                        1)),
                        Map.of("num_hidden_layers", 2)),
                new Case(
                        "phi3_ties_fused_projections",
                        """
                        models:
                          - model: $D/pha
                            parameters: {weight: 0.6, density: 0.5}
                          - model: $D/phb
                            parameters: {weight: 0.4, density: 0.7}
                        merge_method: ties
                        base_model: $D/phbase
                        """,
                        in -> each(
                                StandIns.phi3(2),
                                n -> Reference.gta(
                                        in.get("phbase").get(n),
                                        List.of(
                                                in.get("pha").get(n),
                                                in.get("phb").get(n)),
                                        new double[] {0.6, 0.4},
                                        new double[] {0.5, 0.7},
                                        true,
                                        true,
                                        1)),
                        Map.of("num_hidden_layers", 2)),
                new Case(
                        "mixtral_experts_frankenmerge",
                        """
                        slices:
                          - sources:
                              - model: $D/mxa
                                layer_range: [0, 2]
                          - sources:
                              - model: $D/mxb
                                layer_range: [1, 2]
                        merge_method: passthrough
                        """,
                        in -> {
                            // output layers 0, 1 from mxa's 0, 1 and 2 from mxb's 1; embeddings from the first
                            // slice's model, the final norm and head from the last one's
                            Map<String, double[]> out = new LinkedHashMap<>();
                            for (String n : StandIns.mixtral(3, false).keySet()) {
                                int l = layer(n);
                                String model = l < 0 ? (n.contains("embed") ? "mxa" : "mxb") : l < 2 ? "mxa" : "mxb";
                                out.put(n, in.get(model).get(l == 2 ? n.replace(".layers.2.", ".layers.1.") : n));
                            }
                            return out;
                        },
                        Map.of("num_hidden_layers", 3)),
                new Case(
                        "mixtral_fused_experts_task_arithmetic",
                        """
                        models:
                          - model: $D/mfa
                            parameters: {weight: 0.5}
                        merge_method: task_arithmetic
                        base_model: $D/mfbase
                        """,
                        in -> each(
                                StandIns.mixtral(2, true),
                                n -> Reference.gta(
                                        in.get("mfbase").get(n),
                                        List.of(in.get("mfa").get(n)),
                                        new double[] {0.5},
                                        new double[] {1},
                                        false,
                                        false,
                                        1)),
                        Map.of("num_hidden_layers", 2)),
                new Case(
                        "qwen3_moe_linear_dense_layer",
                        """
                        models:
                          - model: $D/qma
                            parameters: {weight: 1.0}
                          - model: $D/qmb
                            parameters: {weight: 1.0}
                        merge_method: linear
                        """,
                        in -> each(
                                StandIns.qwen3Moe(2, List.of(1)),
                                n -> Reference.linear(
                                        List.of(
                                                in.get("qma").get(n),
                                                in.get("qmb").get(n)),
                                        new double[] {1, 1},
                                        true)),
                        Map.of("num_hidden_layers", 2)),
                new Case(
                        "qwen2_biases_task_arithmetic_lambda",
                        """
                        models:
                          - model: $D/q2a
                            parameters: {weight: 0.7}
                        merge_method: task_arithmetic
                        base_model: $D/q2base
                        parameters: {lambda: 0.5}
                        """,
                        in -> each(
                                StandIns.qwen(2, false),
                                n -> Reference.gta(
                                        in.get("q2base").get(n),
                                        List.of(in.get("q2a").get(n)),
                                        new double[] {0.7},
                                        new double[] {1},
                                        false,
                                        false,
                                        0.5)),
                        Map.of("num_hidden_layers", 2)),
                new Case(
                        "gemma3_vl_modules",
                        """
                        modules:
                          text_decoder:
                            slices:
                              - sources:
                                  - model: $D/vla
                                    layer_range: [0, 2]
                              - sources:
                                  - model: $D/vlb
                                    layer_range: [1, 2]
                            parameters: {weight: 1.0}
                          vision_tower:
                            models:
                              - model: $D/vla
                                parameters: {weight: 0.25}
                              - model: $D/vlb
                                parameters: {weight: 0.75}
                          multi_modal_projector:
                            models:
                              - model: $D/vla
                              - model: $D/vlb
                            parameters: {weight: 0.5}
                        merge_method: linear
                        parameters: {weight: 0.1}
                        """,
                        in -> {
                            Map<String, double[]> out = new LinkedHashMap<>();
                            for (String n : StandIns.gemma3Vl(3, 2).keySet()) {
                                double[] a = in.get("vla").get(n);
                                double[] b = in.get("vlb").get(n);
                                if (n.startsWith("vision_tower.")) {
                                    out.put(n, Reference.linear(List.of(a, b), new double[] {0.25, 0.75}, true));
                                } else if (n.startsWith("multi_modal_projector.")) {
                                    out.put(n, Reference.linear(List.of(a, b), new double[] {0.5, 0.5}, true));
                                } else {
                                    int l = layer(n);
                                    String model =
                                            l < 0 ? (n.contains("embed") ? "vla" : "vlb") : l < 2 ? "vla" : "vlb";
                                    out.put(n, in.get(model).get(l == 2 ? n.replace(".layers.2.", ".layers.1.") : n));
                                }
                            }
                            return out;
                        },
                        Map.of("text_config.num_hidden_layers", 3, "vision_config.num_hidden_layers", 2)),
                new Case(
                        "gpt2_genome_layer_groups",
                        gpt2Genome().yaml(gpt2Genes()),
                        in -> each(StandIns.gpt2(2, false), n -> {
                            double wa = gpt2GenomeWeight(0, n);
                            double wb = gpt2GenomeWeight(1, n);
                            return Reference.linear(
                                    List.of(
                                            in.get("g2new").get(n),
                                            in.get("g2other").get(n)),
                                    new double[] {wa, wb},
                                    true);
                        }),
                        Map.of("n_layer", 2)),
                new Case(
                        "gpt2_stack_bf16",
                        """
                        slices:
                          - sources:
                              - model: $D/g2new
                                layer_range: [0, 2]
                          - sources:
                              - model: $D/g2new
                                layer_range: [0, 2]
                        merge_method: passthrough
                        dtype: bfloat16
                        """,
                        in -> {
                            // mergekit's test_gpt2_stack: the two layers twice, n_layer 4
                            Map<String, double[]> out = new LinkedHashMap<>();
                            for (String n : StandIns.gpt2(4, false).keySet()) {
                                int l = layer(n);
                                String src = l < 0 ? n : n.replace(".h." + l + ".", ".h." + (l % 2) + ".");
                                out.put(n, rounded(in.get("g2new").get(src), DType.BF16));
                            }
                            return out;
                        },
                        Map.of("n_layer", 4),
                        0),
                new Case(
                        "llama_passthrough_scale_filter",
                        """
                        models:
                          - model: $D/l16a
                            parameters:
                              scale:
                                - filter: o_proj
                                  value: 0
                                - value: 1
                        merge_method: passthrough
                        """,
                        in -> each(
                                llama5(),
                                n -> n.contains("o_proj")
                                        ? new double[in.get("l16a").get(n).length]
                                        : in.get("l16a").get(n)),
                        Map.of("num_hidden_layers", 5),
                        0),
                new Case(
                        "llama_ties_gradients_filters_f16",
                        """
                        models:
                          - model: $D/l16a
                            parameters:
                              density: [1, 0.7, 0.1]
                              weight: 1.0
                          - model: $D/l16b
                            parameters:
                              density: 0.5
                              weight: [0, 0.3, 0.7, 1]
                          - model: $D/l16c
                            parameters:
                              density: 0.33
                              weight:
                                - filter: mlp
                                  value: 0.5
                                - value: 0
                        merge_method: ties
                        base_model: $D/l16base
                        parameters:
                          normalize: true
                          int8_mask: true
                        dtype: float16
                        """,
                        in -> each(llama5(), n -> {
                            double t = at(n);
                            return rounded(
                                    Reference.gta(
                                            in.get("l16base").get(n),
                                            List.of(
                                                    in.get("l16a").get(n),
                                                    in.get("l16b").get(n),
                                                    in.get("l16c").get(n)),
                                            new double[] {1, gradient(t, 0, 0.3, 0.7, 1), n.contains("mlp") ? 0.5 : 0},
                                            new double[] {gradient(t, 1, 0.7, 0.1), 0.5, 0.33},
                                            true,
                                            true,
                                            1),
                                    DType.F16);
                        }),
                        Map.of("num_hidden_layers", 5),
                        1e-3),
                new Case(
                        "llama_gradient_slerp_slices_f16",
                        """
                        slices:
                          - sources:
                              - model: $D/l16a
                                layer_range: [0, 5]
                              - model: $D/l16b
                                layer_range: [0, 5]
                        merge_method: slerp
                        base_model: $D/l16a
                        parameters:
                          t:
                            - filter: self_attn
                              value: [0, 0.5, 0.3, 0.7, 1]
                            - filter: mlp
                              value: [1, 0.5, 0.7, 0.3, 0]
                            - value: 0.5
                        dtype: float16
                        """,
                        in -> each(llama5(), n -> {
                            double t = at(n);
                            double v = n.contains("self_attn")
                                    ? gradient(t, 0, 0.5, 0.3, 0.7, 1)
                                    : n.contains("mlp") ? gradient(t, 1, 0.5, 0.7, 0.3, 0) : 0.5;
                            return rounded(
                                    Reference.slerp(
                                            v,
                                            in.get("l16a").get(n),
                                            in.get("l16b").get(n)),
                                    DType.F16);
                        }),
                        Map.of("num_hidden_layers", 5),
                        1e-3),
                new Case(
                        "llama_linear_three_f16",
                        """
                        models:
                          - model: $D/l16a
                            parameters: {weight: 1.0}
                          - model: $D/l16b
                            parameters: {weight: 0.3}
                          - model: $D/l16c
                            parameters: {weight: 0.5}
                        merge_method: linear
                        dtype: float16
                        """,
                        in -> each(
                                llama5(),
                                n -> rounded(
                                        Reference.linear(
                                                List.of(
                                                        in.get("l16a").get(n),
                                                        in.get("l16b").get(n),
                                                        in.get("l16c").get(n)),
                                                new double[] {1, 0.3, 0.5},
                                                true),
                                        DType.F16)),
                        Map.of("num_hidden_layers", 5),
                        1e-3),
                new Case(
                        "llama_ties_unnormalized_f16",
                        """
                        models:
                          - model: $D/l16a
                            parameters: {density: 0.5, weight: 0.5}
                          - model: $D/l16b
                            parameters: {density: 0.5, weight: 0.5}
                        merge_method: ties
                        base_model: $D/l16base
                        parameters:
                          normalize: false
                          int8_mask: true
                        dtype: float16
                        """,
                        in -> each(
                                llama5(),
                                n -> rounded(
                                        Reference.gta(
                                                in.get("l16base").get(n),
                                                List.of(
                                                        in.get("l16a").get(n),
                                                        in.get("l16b").get(n)),
                                                new double[] {0.5, 0.5},
                                                new double[] {0.5, 0.5},
                                                true,
                                                false,
                                                1),
                                        DType.F16)),
                        Map.of("num_hidden_layers", 5),
                        1e-3),
                new Case(
                        "granite_linear_bf16",
                        """
                        models:
                          - model: $D/gra
                            parameters: {weight: 0.6}
                          - model: $D/grb
                            parameters: {weight: 0.4}
                        merge_method: linear
                        dtype: bfloat16
                        """,
                        in -> each(
                                StandIns.granite(2),
                                n -> rounded(
                                        Reference.linear(
                                                List.of(
                                                        in.get("gra").get(n),
                                                        in.get("grb").get(n)),
                                                new double[] {0.6, 0.4},
                                                true),
                                        DType.BF16)),
                        Map.of("num_hidden_layers", 2),
                        8e-3));
    }

    /** The tensor names of the 5-layer float16 Llama models. */
    private static Map<String, long[]> llama5() {
        TinyLlama t = new TinyLlama();
        t.layers = 5;
        t.hidden = 16;
        t.intermediate = 24;
        return t.shapes();
    }

    /** Where a tensor sits on a gradient: layer j of 5 at j / 4; weights outside the layers at 0 (mergekit). */
    private static double at(String name) {
        int l = layer(name);
        return l < 0 ? 0 : l / 4.0;
    }

    /** mergekit's gradient: the anchors spread evenly over [0, 1], linear in between. */
    static double gradient(double t, double... anchors) {
        double scaled = t * (anchors.length - 1);
        int i0 = (int) Math.floor(scaled);
        int i1 = Math.min(anchors.length - 1, i0 + 1);
        double frac = scaled - i0;
        return (1 - frac) * anchors[i0] + frac * anchors[i1];
    }

    private static double[] rounded(double[] v, DType d) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = TinyLlama.round(v[i], d);
        }
        return out;
    }

    /** A linear genome over two GPT-2 models: two layer groups, attention / MLP / rest, embedding and head genes. */
    static ParameterGenome gpt2Genome() {
        return ParameterGenome.builder("linear")
                .models(List.of("$D/g2new", "$D/g2other"))
                .param(ParamGene.perModel("weight", 0.1, 1))
                .layers(2, 2)
                .moduleFilters(true)
                .embedGroup(true)
                .headGroup(true)
                .groups(Architectures.forClass("GPT2LMHeadModel")
                        .orElseThrow()
                        .mainModule()
                        .groups())
                .build();
    }

    static double[] gpt2Genes() {
        double[] g = new double[gpt2Genome().dimension()];
        for (int i = 0; i < g.length; i++) {
            g[i] = 0.1 + 0.05 * i;
        }
        return g;
    }

    /**
     * The weight model {@code m} gets for tensor {@code n}, read off the gene layout by hand: per model, [group 0:
     * attention, MLP, rest; group 1: attention, MLP, rest; embedding; head].
     */
    static double gpt2GenomeWeight(int m, String n) {
        double[] g = gpt2Genes();
        int block = m * 8;
        if (n.contains("wte.") || n.contains("wpe.")) {
            return g[block + 6];
        }
        if (n.contains("ln_f.")) {
            return g[block + 7];
        }
        int kind = n.contains(".attn.") ? 0 : n.contains(".mlp.") ? 1 : 2;
        return g[block + layer(n) * 3 + kind];
    }

    private static Map<String, double[]> each(Map<String, long[]> names, Function<String, double[]> f) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String n : names.keySet()) {
            out.put(n, f.apply(n));
        }
        return out;
    }

    /** The layer index in a tensor name, or -1 outside the layers. */
    static int layer(String name) {
        Matcher m = LAYER.matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
