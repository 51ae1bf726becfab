package dev.chimera.model;

import dev.chimera.tensor.Bf16;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import dev.chimera.tensor.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tiny random Llama-family model folders (config.json + safetensors) for tests. */
public final class TinyModels {
    private TinyModels() {}

    /**
     * One test model: a config.json text and a seed for its weights.
     *
     * @param name label for messages
     * @param configJson full config.json text
     * @param dtype weight dtype on disk
     */
    public record Spec(String name, String configJson, DType dtype) {
        @Override
        public String toString() {
            return name;
        }
    }

    static String config(String arch, String extra) {
        String type = switch (arch) {
            case "LlamaForCausalLM" -> "llama";
            case "MistralForCausalLM" -> "mistral";
            case "Qwen2ForCausalLM" -> "qwen2";
            case "Qwen3ForCausalLM" -> "qwen3";
            default -> "unknown";
        };
        return """
                {"architectures": ["%s"], "model_type": "%s", "hidden_size": 32, "intermediate_size": 48,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 50,
                 "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "hidden_act": "silu", "bos_token_id": 1,
                 "eos_token_id": 2, "torch_dtype": "float32"%s}
                """.formatted(arch, type, extra.isEmpty() ? "" : ", " + extra);
    }

    /** The architecture / option combinations the reference tests cover. */
    public static List<Spec> specs() {
        return List.of(
                new Spec(
                        "llama",
                        config("LlamaForCausalLM", "\"tie_word_embeddings\": false, \"num_hidden_layers\": 3"),
                        DType.F32),
                new Spec(
                        "llama-tied-linear-bias",
                        config(
                                "LlamaForCausalLM",
                                "\"tie_word_embeddings\": true, \"attention_bias\": true, \"rope_theta\": 500.0,"
                                        + " \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}"),
                        DType.F32),
                new Spec(
                        "llama-llama3-rope",
                        config(
                                "LlamaForCausalLM",
                                "\"rope_theta\": 10000.0, \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0,"
                                        + " \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                                        + " \"original_max_position_embeddings\": 64}"),
                        DType.F32),
                new Spec("llama-bf16", config("LlamaForCausalLM", "\"tie_word_embeddings\": false"), DType.BF16),
                new Spec(
                        "mistral-headdim16",
                        config(
                                "MistralForCausalLM",
                                "\"head_dim\": 16, \"sliding_window\": null, \"rope_theta\": 1000000.0"),
                        DType.F32),
                new Spec(
                        "qwen2-bias-tied",
                        config(
                                "Qwen2ForCausalLM",
                                "\"tie_word_embeddings\": true, \"use_sliding_window\": false, \"sliding_window\": 32,"
                                        + " \"num_hidden_layers\": 3"),
                        DType.F32),
                new Spec(
                        "qwen3-qknorm",
                        config(
                                "Qwen3ForCausalLM",
                                "\"head_dim\": 8, \"tie_word_embeddings\": false, \"attention_bias\": false,"
                                        + " \"rope_theta\": 1000000.0"),
                        DType.F32),
                new Spec(
                        "qwen3-tied-rope-parameters",
                        config(
                                "Qwen3ForCausalLM",
                                "\"head_dim\": 16, \"tie_word_embeddings\": true,"
                                        + " \"rope_parameters\": {\"rope_type\": \"linear\", \"factor\": 4.0,"
                                        + " \"rope_theta\": 20000.0}"),
                        DType.F32));
    }

    /** Writes config.json and random weights with the shapes the config requires. */
    public static Path write(Path dir, Spec spec, long seed) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), spec.configJson());
        ModelConfig config = ModelConfig.parse(spec.configJson());
        writeWeights(dir, CheckpointLayout.expectedShapes(config), spec.dtype(), seed);
        return dir;
    }

    /** Writes the given tensors as one safetensors file with random values (norm weights near 1). */
    static void writeWeights(Path dir, Map<String, long[]> shapes, DType dtype, long seed) throws IOException {
        Random r = new Random(seed);
        List<TensorSpec> specs = new ArrayList<>();
        for (var e : shapes.entrySet()) {
            specs.add(new TensorSpec(e.getKey(), dtype, e.getValue()));
        }
        try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(dir, specs, Long.MAX_VALUE)) {
            for (TensorSpec s : specs) {
                int n = (int) s.numel();
                String name = s.name();
                ByteBuffer buf = ByteBuffer.allocate(n * dtype.size()).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    double v;
                    if (name.endsWith("norm.weight")) {
                        v = 1.0 + 0.2 * r.nextGaussian();
                    } else if (name.endsWith(".bias")) {
                        v = 0.2 * r.nextGaussian();
                    } else if (name.contains("embed_tokens")) {
                        v = r.nextGaussian();
                    } else {
                        v = 0.3 * r.nextGaussian();
                    }
                    if (dtype == DType.F32) {
                        buf.putFloat((float) v);
                    } else if (dtype == DType.BF16) {
                        buf.putShort(Bf16.fromFloat((float) v));
                    } else {
                        throw new IllegalArgumentException("test writer: dtype " + dtype);
                    }
                }
                buf.flip();
                w.write(name, buf);
            }
            w.finish();
        }
    }

    /** A word-level tokenizer.json (whitespace/punctuation pre-tokenizer, no special tokens added) + config. */
    public static void writeWordTokenizer(Path model, List<String> words) throws IOException {
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            vocab.append(i == 0 ? "" : ", ")
                    .append('"')
                    .append(words.get(i))
                    .append("\": ")
                    .append(i);
        }
        Files.writeString(model.resolve("tokenizer.json"), """
                {"version": "1.0", "added_tokens": [], "normalizer": null,
                 "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null, "decoder": null,
                 "model": {"type": "WordLevel", "unk_token": "[UNK]", "vocab": {%s}}}
                """.formatted(vocab));
        Files.writeString(
                model.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\", \"add_bos_token\": false}");
    }
}
