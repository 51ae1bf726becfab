package dev.chimera.merge;

import dev.chimera.tensor.Bf16;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.F16;
import dev.chimera.tensor.SafetensorsModel;
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
import java.util.Random;

/** Writes small Llama-style Hugging Face folders with seeded random weights, and reads values back as doubles. */
public class TinyLlama {
    public int hidden = 8;
    public int intermediate = 12;
    public int layers = 3;
    public int vocab = 16;
    public boolean tied = false;
    public DType dtype = DType.F32;
    /** Token strings by id for tokenizer.json; null writes t0, t1, ... */
    public List<String> tokens;

    public Map<String, long[]> shapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new long[] {vocab, hidden});
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            s.put(p + "input_layernorm.weight", new long[] {hidden});
            s.put(p + "self_attn.q_proj.weight", new long[] {hidden, hidden});
            s.put(p + "self_attn.k_proj.weight", new long[] {hidden / 2, hidden});
            s.put(p + "self_attn.v_proj.weight", new long[] {hidden / 2, hidden});
            s.put(p + "self_attn.o_proj.weight", new long[] {hidden, hidden});
            s.put(p + "post_attention_layernorm.weight", new long[] {hidden});
            s.put(p + "mlp.gate_proj.weight", new long[] {intermediate, hidden});
            s.put(p + "mlp.up_proj.weight", new long[] {intermediate, hidden});
            s.put(p + "mlp.down_proj.weight", new long[] {hidden, intermediate});
        }
        s.put("model.norm.weight", new long[] {hidden});
        if (!tied) {
            s.put("lm_head.weight", new long[] {vocab, hidden});
        }
        return s;
    }

    /** Writes a model folder; values are N(0,1) from the seed, rounded to the dtype. Returns the values written. */
    public Map<String, double[]> write(Path dir, long seed) throws IOException {
        String config = """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": %d,
                 "intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": 2, "num_key_value_heads": 1,
                 "vocab_size": %d, "tie_word_embeddings": %s, "torch_dtype": "%s", "rms_norm_eps": 1e-5}
                """.formatted(hidden, intermediate, layers, vocab, tied, dtype.torchName());
        List<String> toks = new ArrayList<>();
        for (int i = 0; i < vocab; i++) {
            toks.add(tokens == null ? "t" + i : tokens.get(i));
        }
        return writeFolder(dir, shapes(), dtype, config, toks, seed);
    }

    /**
     * Writes a model folder of any layout: the tensors (N(0,1) from the seed, rounded to the dtype), config.json and
     * a word-level tokenizer with these tokens. Returns the values written.
     */
    static Map<String, double[]> writeFolder(
            Path dir, Map<String, long[]> shapes, DType dtype, String configJson, List<String> tokens, long seed)
            throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(seed);
        Map<String, double[]> values = new LinkedHashMap<>();
        List<TensorSpec> specs = new ArrayList<>();
        for (var e : shapes.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            double[] v = new double[(int) n];
            for (int i = 0; i < n; i++) {
                v[i] = round(r.nextGaussian(), dtype);
            }
            values.put(e.getKey(), v);
            specs.add(new TensorSpec(e.getKey(), dtype, e.getValue()));
        }
        try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(dir, specs, Long.MAX_VALUE)) {
            for (TensorSpec s : specs) {
                w.write(s.name(), encode(values.get(s.name()), dtype));
            }
            w.finish();
        }
        Files.writeString(dir.resolve("config.json"), configJson);
        StringBuilder vocabJson = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            vocabJson
                    .append(i == 0 ? "" : ", ")
                    .append('"')
                    .append(tokens.get(i))
                    .append("\": ")
                    .append(i);
        }
        Files.writeString(
                dir.resolve("tokenizer.json"),
                "{\"version\": \"1.0\", \"added_tokens\": [], \"model\": {\"type\": \"WordLevel\", "
                        + "\"unk_token\": \"t0\", \"vocab\": {" + vocabJson + "}}}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 64}");
        return values;
    }

    static double round(double v, DType d) {
        return switch (d) {
            case F32 -> (float) v;
            case BF16 -> Bf16.toFloat(Bf16.fromFloat((float) v));
            case F16 -> F16.toFloat(F16.fromFloat((float) v));
            default -> v;
        };
    }

    static ByteBuffer encode(double[] v, DType d) {
        ByteBuffer b = ByteBuffer.allocate(v.length * d.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            switch (d) {
                case F32 -> b.putFloat((float) x);
                case BF16 -> b.putShort(Bf16.fromFloat((float) x));
                case F16 -> b.putShort(F16.fromFloat((float) x));
                case F64 -> b.putDouble(x);
                default -> throw new IllegalArgumentException(d.toString());
            }
        }
        b.flip();
        return b;
    }

    /** Reads every tensor of a merged folder as doubles. */
    public static Map<String, double[]> read(Path dir) {
        Map<String, double[]> out = new LinkedHashMap<>();
        try (var m = SafetensorsModel.open(dir)) {
            for (String name : m.names()) {
                var info = m.info(name);
                ByteBuffer b = ByteBuffer.wrap(m.readBytes(name)).order(ByteOrder.LITTLE_ENDIAN);
                double[] v = new double[(int) info.numel()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = switch (info.dtype()) {
                        case F32 -> b.getFloat();
                        case BF16 -> Bf16.toFloat(b.getShort());
                        case F16 -> F16.toFloat(b.getShort());
                        case F64 -> b.getDouble();
                        default ->
                            throw new IllegalArgumentException(info.dtype().toString());
                    };
                }
                out.put(name, v);
            }
        }
        return out;
    }
}
