package dev.chimera.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The parts of a Hugging Face {@code config.json} that define the math of a Llama-family causal LM, with the defaults
 * of transformers' config classes ({@code LlamaConfig}, {@code MistralConfig}, {@code Qwen2Config}, {@code Qwen3Config}).
 *
 * <p>Fields that would change the computation but are not implemented (another {@code hidden_act}, {@code mlp_bias},
 * {@code partial_rotary_factor} below 1, rope types other than default/linear/llama3, quantized weights) are refused
 * with a {@link ModelException} naming the field.
 *
 * @param architecture one of the four supported classes
 * @param vocabSize {@code vocab_size}
 * @param hiddenSize {@code hidden_size}
 * @param intermediateSize {@code intermediate_size}
 * @param numLayers {@code num_hidden_layers}
 * @param numHeads {@code num_attention_heads}
 * @param numKvHeads {@code num_key_value_heads} (default: {@code num_attention_heads}; Mistral: 8)
 * @param headDim {@code head_dim} if given, else hidden / heads (Qwen3: 128)
 * @param rmsNormEps {@code rms_norm_eps} (default 1e-6)
 * @param ropeTheta {@code rope_theta} (default 10000)
 * @param ropeScaling {@code rope_scaling} / {@code rope_parameters}; null for plain RoPE
 * @param tieWordEmbeddings {@code tie_word_embeddings}: lm_head is the embedding matrix
 * @param qkvBias q/k/v projections have biases (Qwen2 always; Llama/Qwen3 if {@code attention_bias})
 * @param oBias o projection has a bias (Llama/Qwen3 if {@code attention_bias})
 * @param qkNorm per-head RMSNorm of q and k before RoPE (Qwen3)
 * @param slidingWindow attention window in effect, or null; Mistral applies it in every layer, Qwen2/Qwen3
 *     ({@code use_sliding_window}) refuse sequences longer than it
 * @param maxPositionEmbeddings {@code max_position_embeddings} (informational; used by llama3 rope as fallback)
 * @param bosTokenId {@code bos_token_id} or null
 * @param eosTokenIds {@code eos_token_id} (a number or a list), possibly empty
 */
public record ModelConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean oBias,
        boolean qkNorm,
        Integer slidingWindow,
        int maxPositionEmbeddings,
        Integer bosTokenId,
        List<Integer> eosTokenIds) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The supported model classes, by their {@code architectures} name. */
    public enum Architecture {
        LLAMA("LlamaForCausalLM", "llama"),
        MISTRAL("MistralForCausalLM", "mistral"),
        QWEN2("Qwen2ForCausalLM", "qwen2"),
        QWEN3("Qwen3ForCausalLM", "qwen3");

        private final String className;
        private final String modelType;

        Architecture(String className, String modelType) {
            this.className = className;
            this.modelType = modelType;
        }

        public String className() {
            return className;
        }

        public String modelType() {
            return modelType;
        }

        static Architecture byClassName(String name) {
            for (Architecture a : values()) {
                if (a.className.equals(name)) {
                    return a;
                }
            }
            return null;
        }

        static Architecture byModelType(String type) {
            for (Architecture a : values()) {
                if (a.modelType.equals(type)) {
                    return a;
                }
            }
            return null;
        }

        static String supported() {
            List<String> names = new ArrayList<>();
            for (Architecture a : values()) {
                names.add(a.className);
            }
            return String.join(", ", names);
        }
    }

    /**
     * Rotary-embedding frequency scaling.
     *
     * @param type {@code linear} (positions divided by factor) or {@code llama3} (HF's {@code _compute_llama3_parameters})
     * @param factor scaling factor
     * @param lowFreqFactor llama3 only
     * @param highFreqFactor llama3 only
     * @param originalMaxPositionEmbeddings llama3 only
     */
    public record RopeScaling(
            String type,
            double factor,
            double lowFreqFactor,
            double highFreqFactor,
            int originalMaxPositionEmbeddings) {
        public static RopeScaling linear(double factor) {
            return new RopeScaling("linear", factor, 0, 0, 0);
        }

        public static RopeScaling llama3(double factor, double low, double high, int originalMax) {
            return new RopeScaling("llama3", factor, low, high, originalMax);
        }
    }

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        check(vocabSize > 0, "vocab_size", vocabSize);
        check(hiddenSize > 0, "hidden_size", hiddenSize);
        check(intermediateSize > 0, "intermediate_size", intermediateSize);
        check(numLayers > 0, "num_hidden_layers", numLayers);
        check(numHeads > 0, "num_attention_heads", numHeads);
        check(numKvHeads > 0, "num_key_value_heads", numKvHeads);
        if (numHeads % numKvHeads != 0) {
            throw new ModelException("config: num_attention_heads " + numHeads
                    + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new ModelException("config: head_dim " + headDim + " must be positive and even");
        }
        if (!(rmsNormEps >= 0) || !Double.isFinite(rmsNormEps)) {
            throw new ModelException("config: rms_norm_eps " + rmsNormEps + " is invalid");
        }
        if (!(ropeTheta > 0) || !Double.isFinite(ropeTheta)) {
            throw new ModelException("config: rope_theta " + ropeTheta + " is invalid");
        }
        if (ropeScaling != null && !(ropeScaling.factor() > 0)) {
            throw new ModelException("config: rope_scaling.factor " + ropeScaling.factor() + " must be positive");
        }
        if (slidingWindow != null && slidingWindow <= 0) {
            throw new ModelException("config: sliding_window " + slidingWindow + " must be positive");
        }
    }

    private static void check(boolean ok, String key, long value) {
        if (!ok) {
            throw new ModelException("config: " + key + " must be positive, got " + value);
        }
    }

    /** Reads {@code config.json} from a model folder (or the file itself). */
    public static ModelConfig read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new ModelException(file + ": config.json not found");
        }
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
        } catch (ModelException e) {
            throw new ModelException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the text of a {@code config.json}. */
    public static ModelConfig parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new ModelException("config: invalid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelException("config: not a JSON object");
        }
        return fromJson(root);
    }

    /** Builds a config from a parsed {@code config.json} object. */
    public static ModelConfig fromJson(JsonNode c) {
        Architecture arch = architecture(c);
        String prefix = "config (" + arch.className() + "): ";
        int hidden = requiredInt(c, "hidden_size");
        int intermediate = requiredInt(c, "intermediate_size");
        int layers = requiredInt(c, "num_hidden_layers");
        int heads = requiredInt(c, "num_attention_heads");
        int vocab = requiredInt(c, "vocab_size");
        int kvHeads = optInt(c, "num_key_value_heads", arch == Architecture.MISTRAL ? 8 : heads);
        int defaultHeadDim = arch == Architecture.QWEN3 ? 128 : (heads > 0 ? hidden / heads : 0);
        int headDim = optInt(c, "head_dim", defaultHeadDim);
        double eps = optDouble(c, "rms_norm_eps", 1e-6);

        String act = c.has("hidden_act") && !c.get("hidden_act").isNull()
                ? c.get("hidden_act").asText()
                : "silu";
        if (!act.equals("silu")) {
            throw new ModelException(prefix + "hidden_act \"" + act + "\" is not supported (only silu)");
        }
        if (optBool(c, "mlp_bias", false)) {
            throw new ModelException(prefix + "mlp_bias=true is not supported");
        }
        if (c.hasNonNull("quantization_config")) {
            throw new ModelException(prefix + "quantization_config: quantized models are not supported");
        }
        boolean attentionBias = optBool(c, "attention_bias", false);
        boolean qkvBias;
        boolean oBias;
        switch (arch) {
            case QWEN2 -> {
                qkvBias = true;
                oBias = false;
            }
            case MISTRAL -> {
                qkvBias = false;
                oBias = false;
            }
            default -> {
                qkvBias = attentionBias;
                oBias = attentionBias;
            }
        }

        Integer window = null;
        if (arch == Architecture.MISTRAL) {
            window = c.has("sliding_window") ? optInteger(c, "sliding_window") : Integer.valueOf(4096);
        } else if ((arch == Architecture.QWEN2 || arch == Architecture.QWEN3)
                && optBool(c, "use_sliding_window", false)) {
            window = c.has("sliding_window") ? optInteger(c, "sliding_window") : Integer.valueOf(4096);
        }
        int maxPos = optInt(c, "max_position_embeddings", arch == Architecture.LLAMA ? 2048 : 32768);

        // rope: old style (rope_theta + rope_scaling) or transformers 5 style (rope_parameters)
        JsonNode params = c.get("rope_parameters");
        JsonNode scaling = c.get("rope_scaling");
        String scalingKey = "rope_scaling";
        if (params != null && params.isObject() && (scaling == null || scaling.isNull())) {
            scaling = params;
            scalingKey = "rope_parameters";
        }
        double theta = optDouble(c, "rope_theta", Double.NaN);
        if (Double.isNaN(theta) && scaling != null && scaling.isObject()) {
            theta = optDouble(scaling, "rope_theta", Double.NaN);
        }
        if (Double.isNaN(theta) && params != null && params.isObject()) {
            theta = optDouble(params, "rope_theta", Double.NaN);
        }
        if (Double.isNaN(theta)) {
            theta = 10000.0;
        }
        double partial = optDouble(c, "partial_rotary_factor", 1.0);
        if (scaling != null && scaling.isObject()) {
            partial = optDouble(scaling, "partial_rotary_factor", partial);
        }
        if (partial != 1.0) {
            throw new ModelException(prefix + "partial_rotary_factor " + partial + " is not supported (only 1.0)");
        }
        RopeScaling rope = null;
        if (scaling != null && !scaling.isNull()) {
            if (!scaling.isObject()) {
                throw new ModelException(prefix + scalingKey + " must be an object");
            }
            String type = scaling.hasNonNull("rope_type")
                    ? scaling.get("rope_type").asText()
                    : scaling.hasNonNull("type") ? scaling.get("type").asText() : "default";
            String k = scalingKey + ".";
            switch (type) {
                case "default" -> rope = null;
                case "linear" -> rope = RopeScaling.linear(requiredDouble(scaling, "factor", k));
                case "llama3" -> {
                    double factor = requiredDouble(scaling, "factor", k);
                    double low = requiredDouble(scaling, "low_freq_factor", k);
                    double high = requiredDouble(scaling, "high_freq_factor", k);
                    int orig = scaling.hasNonNull("original_max_position_embeddings")
                            ? requiredInt(scaling, "original_max_position_embeddings", k)
                            : optInt(c, "original_max_position_embeddings", maxPos);
                    if (!(high > low)) {
                        throw new ModelException(
                                prefix + k + "high_freq_factor " + high + " must exceed low_freq_factor " + low);
                    }
                    rope = RopeScaling.llama3(factor, low, high, orig);
                }
                default ->
                    throw new ModelException(prefix + scalingKey + " type \"" + type
                            + "\" is not supported (supported: default, linear, llama3)");
            }
        }
        boolean tied = optBool(c, "tie_word_embeddings", false);
        Integer bos = optInteger(c, "bos_token_id");
        List<Integer> eos = new ArrayList<>();
        JsonNode e = c.get("eos_token_id");
        if (e != null && e.isArray()) {
            for (JsonNode x : e) {
                if (!x.canConvertToInt()) {
                    throw new ModelException(prefix + "eos_token_id entries must be integers");
                }
                eos.add(x.asInt());
            }
        } else if (e != null && !e.isNull()) {
            if (!e.canConvertToInt()) {
                throw new ModelException(prefix + "eos_token_id must be an integer or a list");
            }
            eos.add(e.asInt());
        }
        try {
            return new ModelConfig(
                    arch,
                    vocab,
                    hidden,
                    intermediate,
                    layers,
                    heads,
                    kvHeads,
                    headDim,
                    eps,
                    theta,
                    rope,
                    tied,
                    qkvBias,
                    oBias,
                    arch == Architecture.QWEN3,
                    window,
                    maxPos,
                    bos,
                    eos);
        } catch (ModelException ex) {
            throw new ModelException(prefix + ex.getMessage().replaceFirst("^config: ", ""), ex);
        }
    }

    private static Architecture architecture(JsonNode c) {
        JsonNode archs = c.get("architectures");
        if (archs != null && archs.isArray() && archs.size() > 0) {
            String name = archs.get(0).asText();
            Architecture a = Architecture.byClassName(name);
            if (a == null) {
                throw new ModelException("config: architectures \"" + name + "\" is not supported (supported: "
                        + Architecture.supported() + ")");
            }
            return a;
        }
        if (c.hasNonNull("model_type")) {
            String type = c.get("model_type").asText().toLowerCase(Locale.ROOT);
            Architecture a = Architecture.byModelType(type);
            if (a == null) {
                throw new ModelException("config: model_type \"" + type + "\" is not supported (supported: "
                        + Architecture.supported() + ")");
            }
            return a;
        }
        throw new ModelException("config: missing required key \"architectures\"");
    }

    private static int requiredInt(JsonNode c, String key) {
        return requiredInt(c, key, "");
    }

    private static int requiredInt(JsonNode c, String key, String prefix) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            throw new ModelException("config: missing required key \"" + prefix + key + "\"");
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ModelException("config: " + prefix + key + " must be an integer, got " + n);
        }
        return n.asInt();
    }

    private static double requiredDouble(JsonNode c, String key, String prefix) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            throw new ModelException("config: missing required key \"" + prefix + key + "\"");
        }
        if (!n.isNumber()) {
            throw new ModelException("config: " + prefix + key + " must be a number, got " + n);
        }
        return n.asDouble();
    }

    private static int optInt(JsonNode c, String key, int dflt) {
        Integer v = optInteger(c, key);
        return v == null ? dflt : v;
    }

    private static Integer optInteger(JsonNode c, String key) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ModelException("config: " + key + " must be an integer, got " + n);
        }
        return n.asInt();
    }

    private static double optDouble(JsonNode c, String key, double dflt) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new ModelException("config: " + key + " must be a number, got " + n);
        }
        return n.asDouble();
    }

    private static boolean optBool(JsonNode c, String key, boolean dflt) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new ModelException("config: " + key + " must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    /** Inverse RoPE frequencies (head_dim / 2 of them) as float32, after {@link #ropeScaling()}, as HF computes them. */
    public float[] inverseFrequencies() {
        int half = headDim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / headDim;
            double f = (float) (1.0 / (float) Math.pow(ropeTheta, exponent));
            if (ropeScaling != null && ropeScaling.type().equals("linear")) {
                f = f / ropeScaling.factor();
            } else if (ropeScaling != null && ropeScaling.type().equals("llama3")) {
                double factor = ropeScaling.factor();
                double low = ropeScaling.lowFreqFactor();
                double high = ropeScaling.highFreqFactor();
                double old = ropeScaling.originalMaxPositionEmbeddings();
                double lowWavelen = old / low;
                double highWavelen = old / high;
                double wavelen = 2 * Math.PI / f;
                if (wavelen > lowWavelen) {
                    f = f / factor;
                } else if (!(wavelen < highWavelen)) {
                    double smooth = (old / wavelen - low) / (high - low);
                    f = (1 - smooth) * f / factor + smooth * f;
                }
            }
            inv[i] = (float) f;
        }
        return inv;
    }
}
