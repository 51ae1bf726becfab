package dev.chimera.tensor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face {@code config.json}, kept as a JSON tree so that writing a modified copy preserves
 * every key, its order and its exact number text.
 *
 * <p>Integer accessors look at the top level first and then inside {@code text_config}, where
 * multimodal models keep their language-model settings; the {@code with...} methods update the key
 * where it was found. Instances are immutable.
 */
public final class HfConfig {
    /** The file name inside a model folder. */
    public static final String FILE = "config.json";

    private static final String TEXT_CONFIG = "text_config";

    // Big decimals with trailing zeros kept, so "1e-05" or "500000.0" survive a round trip exactly;
    // NaN/Infinity accepted and written bare, as Python's json module does.
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .build();

    private final Path source;
    private final ObjectNode root;

    private HfConfig(Path source, ObjectNode root) {
        this.source = source;
        this.root = root;
    }

    /** Reads {@code config.json} from a model folder. */
    public static HfConfig read(Path modelDir) {
        return readFile(modelDir.resolve(FILE));
    }

    /**
     * Reads a config file.
     *
     * @throws HfConfigException if it is missing, unreadable, not JSON, or not a JSON object
     */
    public static HfConfig readFile(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new HfConfigException(file + ": config file not found", e);
        } catch (IOException e) {
            throw new HfConfigException(file + ": cannot read config: " + e.getMessage(), e);
        }
        return parse(bytes, file);
    }

    /** Parses config JSON text; {@code source} is only used in messages. */
    public static HfConfig parse(String json, Path source) {
        return parse(json.getBytes(StandardCharsets.UTF_8), source);
    }

    private static HfConfig parse(byte[] json, Path source) {
        JsonNode tree;
        try (JsonParser p = MAPPER.createParser(json)) {
            tree = MAPPER.readTree(p);
            if (tree != null && p.nextToken() != null) {
                throw new HfConfigException(source + ": unexpected data after the JSON object");
            }
        } catch (IOException e) {
            throw new HfConfigException(source + ": invalid config JSON: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new HfConfigException(source + ": config is not a JSON object");
        }
        return new HfConfig(source, (ObjectNode) tree);
    }

    /** The file this was read from. */
    public Path source() {
        return source;
    }

    /** A copy of the whole tree. */
    public ObjectNode json() {
        return root.deepCopy();
    }

    /** The {@code architectures} list (empty if absent). */
    public List<String> architectures() {
        JsonNode node = root.get("architectures");
        List<String> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    /** The first architecture, e.g. {@code LlamaForCausalLM}. */
    public Optional<String> architecture() {
        return architectures().stream().findFirst();
    }

    /** {@code model_type}, e.g. {@code llama}. */
    public Optional<String> modelType() {
        return text("model_type");
    }

    /** {@code num_hidden_layers}; required. */
    public int numHiddenLayers() {
        return requiredInt("num_hidden_layers");
    }

    /** {@code vocab_size}; required. */
    public int vocabSize() {
        return requiredInt("vocab_size");
    }

    /** {@code hidden_size}; required. */
    public int hiddenSize() {
        return requiredInt("hidden_size");
    }

    /**
     * {@code tie_word_embeddings}. When absent this is {@code true}, the default of transformers'
     * {@code PretrainedConfig}; Llama, Mistral and Qwen configs set the key explicitly.
     */
    public boolean tieWordEmbeddings() {
        JsonNode node = find("tie_word_embeddings");
        if (node == null || node.isNull()) {
            return true;
        }
        if (!node.isBoolean()) {
            throw new HfConfigException(source + ": key tie_word_embeddings must be true or false");
        }
        return node.booleanValue();
    }

    /**
     * The weights' dtype name: {@code dtype} (transformers 4.56 and later) or else {@code
     * torch_dtype}, e.g. "bfloat16".
     */
    public Optional<String> torchDtype() {
        Optional<String> dtype = text("dtype");
        return dtype.isPresent() ? dtype : text("torch_dtype");
    }

    /** Any key, looked up at the top level and then in {@code text_config}. */
    public Optional<JsonNode> get(String key) {
        return Optional.ofNullable(find(key)).map(JsonNode::deepCopy);
    }

    /** Sets {@code torch_dtype}, and {@code dtype} too if the config has it. */
    public HfConfig withTorchDtype(String dtype) {
        ObjectNode copy = root.deepCopy();
        if (copy.has("dtype")) {
            copy.put("dtype", dtype);
        }
        if (copy.has("torch_dtype") || !copy.has("dtype")) {
            copy.put("torch_dtype", dtype);
        }
        return new HfConfig(source, copy);
    }

    /** Sets {@code torch_dtype} to the torch name of a dtype, e.g. "bfloat16". */
    public HfConfig withTorchDtype(DType dtype) {
        return withTorchDtype(dtype.torchName());
    }

    /** Sets {@code vocab_size} where the config keeps it. */
    public HfConfig withVocabSize(int vocabSize) {
        return withInt("vocab_size", vocabSize);
    }

    /** Sets {@code num_hidden_layers} where the config keeps it. */
    public HfConfig withNumHiddenLayers(int layers) {
        return withInt("num_hidden_layers", layers);
    }

    /** Sets an integer key at the top level, or in {@code text_config} if only that has it. */
    public HfConfig withInt(String key, int value) {
        ObjectNode copy = root.deepCopy();
        JsonNode text = copy.get(TEXT_CONFIG);
        if (!copy.has(key) && text instanceof ObjectNode nested && nested.has(key)) {
            nested.put(key, value);
        } else {
            copy.put(key, value);
        }
        return new HfConfig(source, copy);
    }

    /**
     * An integer at a dotted key path such as {@code vision_config.num_hidden_layers}; a single key is looked up as
     * {@link #get} does (top level, then {@code text_config}).
     *
     * @throws HfConfigException naming the file and the path when it is missing or not an integer
     */
    public int intAt(String path) {
        String[] parts = path.split("\\.");
        JsonNode node = find(parts[0]);
        for (int i = 1; i < parts.length && node != null; i++) {
            node = node.get(parts[i]);
        }
        if (node == null || node.isNull()) {
            throw new HfConfigException(source + ": key " + path + " is missing");
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new HfConfigException(source + ": key " + path + " must be an integer, got " + node);
        }
        return node.intValue();
    }

    /** Sets integers at dotted key paths (e.g. a merge's layer count per module), in the map's order. */
    public HfConfig withIntsAt(Map<String, Integer> values) {
        HfConfig c = this;
        for (Map.Entry<String, Integer> e : values.entrySet()) {
            c = c.withIntAt(e.getKey(), e.getValue());
        }
        return c;
    }

    /** Sets an integer at a dotted key path ({@link #withInt} for a single key); the parent objects must exist. */
    public HfConfig withIntAt(String path, int value) {
        String[] parts = path.split("\\.");
        if (parts.length == 1) {
            return withInt(path, value);
        }
        ObjectNode copy = root.deepCopy();
        JsonNode node = copy;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.get(parts[i]);
            if (!(node instanceof ObjectNode)) {
                throw new HfConfigException(source + ": cannot set " + path + ": " + parts[i] + " is not an object");
            }
        }
        ((ObjectNode) node).put(parts[parts.length - 1], value);
        return new HfConfig(source, copy);
    }

    /** The config as Hugging Face lays it out: two-space indents, trailing newline. */
    public String toJson() {
        return Json.pretty(MAPPER, root) + "\n";
    }

    /**
     * Writes {@code config.json} into a folder via a temporary file and a rename, so a reader never
     * sees a partial file.
     *
     * @throws HfConfigException naming the path on failure
     */
    public void write(Path dir) {
        Path target = dir.resolve(FILE);
        Path temp = dir.resolve("." + FILE + ".tmp");
        try {
            Files.writeString(temp, toJson(), StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the original failure is the one worth reporting
            }
            throw new HfConfigException(target + ": cannot write config: " + e.getMessage(), e);
        }
    }

    private JsonNode find(String key) {
        JsonNode node = root.get(key);
        if (node == null && root.get(TEXT_CONFIG) instanceof ObjectNode nested) {
            node = nested.get(key);
        }
        return node;
    }

    private Optional<String> text(String key) {
        JsonNode node = find(key);
        return node != null && node.isTextual() ? Optional.of(node.textValue()) : Optional.empty();
    }

    private int requiredInt(String key) {
        JsonNode node = find(key);
        if (node == null || node.isNull()) {
            throw new HfConfigException(source + ": key " + key + " is missing");
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new HfConfigException(source + ": key " + key + " must be an integer, got " + node);
        }
        return node.intValue();
    }

    @Override
    public String toString() {
        return "HfConfig[" + source + ", " + architecture().orElse("?") + "]";
    }
}
