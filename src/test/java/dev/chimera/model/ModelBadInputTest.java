package dev.chimera.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.chimera.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config parsing, defaults, and the errors for unsupported or broken models and inputs. */
class ModelBadInputTest {
    @TempDir
    Path tmp;

    static String llama(String extra) {
        return TinyModels.config("LlamaForCausalLM", extra);
    }

    static void assertMessage(Runnable r, String... parts) {
        ModelException e = assertThrows(ModelException.class, r::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message \"" + e.getMessage() + "\" should contain \"" + p + "\"");
        }
    }

    @Test
    void defaultsFollowTransformers() {
        ModelConfig llama = ModelConfig.parse("""
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
                 "num_hidden_layers": 2, "num_attention_heads": 8, "vocab_size": 100, "eos_token_id": [2, 7]}
                """);
        assertEquals(8, llama.numKvHeads());
        assertEquals(8, llama.headDim());
        assertEquals(1e-6, llama.rmsNormEps());
        assertEquals(10000.0, llama.ropeTheta());
        assertNull(llama.ropeScaling());
        assertNull(llama.slidingWindow());
        assertEquals(List.of(2, 7), llama.eosTokenIds());
        assertTrue(!llama.tieWordEmbeddings() && !llama.qkvBias() && !llama.oBias() && !llama.qkNorm());

        ModelConfig qwen3 = ModelConfig.parse(TinyModels.config("Qwen3ForCausalLM", "\"rms_norm_eps\": 1e-6")
                .replace("\"rms_norm_eps\": 1e-5, ", ""));
        assertEquals(128, qwen3.headDim());
        assertTrue(qwen3.qkNorm());
        assertEquals(1e-6, qwen3.rmsNormEps());

        ModelConfig qwen2 = ModelConfig.parse(TinyModels.config("Qwen2ForCausalLM", "\"sliding_window\": 16"));
        assertTrue(qwen2.qkvBias() && !qwen2.oBias());
        assertNull(qwen2.slidingWindow(), "use_sliding_window defaults to false");

        ModelConfig mistral = ModelConfig.parse(TinyModels.config("MistralForCausalLM", ""));
        assertEquals(4096, mistral.slidingWindow(), "MistralConfig's default sliding_window");
        ModelConfig llamaBias = ModelConfig.parse(llama("\"attention_bias\": true"));
        assertTrue(llamaBias.qkvBias() && llamaBias.oBias());

        ModelConfig llama3 = ModelConfig.parse(llama("\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0,"
                + " \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0}"));
        assertEquals(64, llama3.ropeScaling().originalMaxPositionEmbeddings(), "falls back to max_position_embeddings");
        ModelConfig byType = ModelConfig.parse("""
                {"model_type": "qwen2", "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 1,
                 "num_attention_heads": 4, "vocab_size": 50, "rope_scaling": {"type": "default"}}""");
        assertEquals(ModelConfig.Architecture.QWEN2, byType.architecture());
    }

    @Test
    void unsupportedConfigsAreRefusedNamingTheField() {
        assertMessage(
                () -> ModelConfig.parse(TinyModels.config("GPT2LMHeadModel", "")),
                "architectures",
                "GPT2LMHeadModel",
                "LlamaForCausalLM");
        assertMessage(
                () -> ModelConfig.parse(llama("\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}")),
                "rope_scaling",
                "yarn");
        assertMessage(
                () -> ModelConfig.parse(llama("\"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 2.0}")),
                "rope_scaling",
                "dynamic");
        assertMessage(
                () -> ModelConfig.parse(llama("\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0,"
                        + " \"high_freq_factor\": 4.0}")),
                "rope_scaling.low_freq_factor");
        assertMessage(
                () -> ModelConfig.parse(llama("\"rope_scaling\": {\"rope_type\": \"linear\"}")), "rope_scaling.factor");
        assertMessage(
                () -> ModelConfig.parse(llama("\"hidden_act\": \"gelu\"").replace("\"hidden_act\": \"silu\", ", "")),
                "hidden_act",
                "gelu");
        assertMessage(() -> ModelConfig.parse(llama("\"mlp_bias\": true")), "mlp_bias");
        assertMessage(() -> ModelConfig.parse(llama("\"partial_rotary_factor\": 0.5")), "partial_rotary_factor");
        assertMessage(
                () -> ModelConfig.parse(llama("\"quantization_config\": {\"quant_method\": \"gptq\"}")),
                "quantization_config");
        assertMessage(() -> ModelConfig.parse(llama("").replace("\"hidden_size\": 32, ", "")), "hidden_size");
        assertMessage(
                () -> ModelConfig.parse(llama("").replace("\"vocab_size\": 50", "\"vocab_size\": \"50\"")),
                "vocab_size");
        assertMessage(
                () -> ModelConfig.parse(
                        llama("\"num_key_value_heads\": 3").replace("\"num_key_value_heads\": 2, ", "")),
                "num_key_value_heads");
        assertMessage(() -> ModelConfig.parse("[1]"), "JSON object");
        assertMessage(() -> ModelConfig.parse("{"), "invalid JSON");
        assertMessage(() -> ModelConfig.read(tmp.resolve("nowhere")), "config.json not found");
    }

    @Test
    void missingAndMisshapenWeightsAreNamed() throws Exception {
        String cfg = llama("\"tie_word_embeddings\": false");
        ModelConfig config = ModelConfig.parse(cfg);

        Path missing = tmp.resolve("missing");
        Files.createDirectories(missing);
        Files.writeString(missing.resolve("config.json"), cfg);
        Map<String, long[]> shapes = new LinkedHashMap<>(CheckpointLayout.expectedShapes(config));
        shapes.remove("model.layers.1.mlp.up_proj.weight");
        TinyModels.writeWeights(missing, shapes, DType.F32, 1);
        assertMessage(() -> CausalLM.load(missing), "missing weight model.layers.1.mlp.up_proj.weight", "[48, 32]");

        Path wrong = tmp.resolve("wrong");
        Files.createDirectories(wrong);
        Files.writeString(wrong.resolve("config.json"), cfg);
        shapes = new LinkedHashMap<>(CheckpointLayout.expectedShapes(config));
        shapes.put("model.layers.0.self_attn.k_proj.weight", new long[] {32, 32});
        TinyModels.writeWeights(wrong, shapes, DType.F32, 1);
        assertMessage(() -> CausalLM.load(wrong), "model.layers.0.self_attn.k_proj.weight", "[32, 32]", "[16, 32]");

        // a checkpoint saved untied but configured tied is fine (lm_head is ignored); the reverse is not
        Path untiedButNoHead = tmp.resolve("nohead");
        Files.createDirectories(untiedButNoHead);
        Files.writeString(untiedButNoHead.resolve("config.json"), cfg);
        TinyModels.writeWeights(
                untiedButNoHead,
                CheckpointLayout.expectedShapes(ModelConfig.parse(llama("\"tie_word_embeddings\": true"))),
                DType.F32,
                1);
        assertMessage(() -> CausalLM.load(untiedButNoHead), "missing weight lm_head.weight");

        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            CheckpointLayout.expectedShapes(config).forEach((k, v) -> weights.put(k, m.zeros(new Shape(v))));
            weights.put("model.norm.weight", m.zeros(new Shape(31)));
            assertMessage(() -> CausalLM.fromWeights(config, weights), "model.norm.weight", "[31]", "[32]");
            weights.remove("model.norm.weight");
            assertMessage(() -> CausalLM.fromWeights(config, weights), "missing weight model.norm.weight");
        }
    }

    @Test
    void badCallsAreRefused() throws Exception {
        Path dir = TinyModels.write(
                tmp.resolve("m"),
                new TinyModels.Spec(
                        "qwen2-window8",
                        TinyModels.config("Qwen2ForCausalLM", "\"use_sliding_window\": true, \"sliding_window\": 8"),
                        DType.F32),
                3);
        try (CausalLM model = CausalLM.load(dir)) {
            model.logits(new long[][] {{1, 2, 3, 4, 5, 6, 7, 8}}, new int[] {8}, false); // within the window: fine
            assertMessage(
                    () -> model.logits(new long[][] {{1, 2, 3, 4, 5, 6, 7, 8, 9}}, new int[] {9}, false),
                    "sliding_window 8",
                    "use_sliding_window",
                    "max_window_layers");
            assertMessage(
                    () -> model.generateGreedy(new int[] {1, 2, 3, 4, 5}, 10, Integer.MIN_VALUE), "sliding_window 8");
            assertEquals(
                    3, model.generateGreedy(new int[] {1, 2, 3, 4, 5}, 3, -1).tokens().length);
            assertMessage(
                    () -> model.logits(new long[][] {{1, 50}}, new int[] {2}, false), "token 50", "vocab_size 50");
            assertMessage(() -> model.logits(new long[][] {{1, 2}}, new int[] {3}, false), "length 3");
            assertMessage(() -> model.logLikelihood(new int[0], new int[] {1}), "empty context");
            assertMessage(() -> model.logLikelihood(new int[] {1}, new int[0]), "empty continuation");
            assertMessage(() -> model.logLikelihood(new int[] {1}, new int[] {-1}), "token -1");
            assertMessage(() -> model.generateGreedy(new int[0], 3, 2), "prompt is empty");
        }
    }
}
