package dev.chimera.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.chimera.merge.method.MergeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads and writes mergekit YAML merge configs. Errors name the file and the offending key. */
public final class MergeConfigYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private static final Set<String> TOP_KEYS = Set.of(
            "models",
            "slices",
            "merge_method",
            "base_model",
            "parameters",
            "dtype",
            "out_dtype",
            "tokenizer_source",
            "tokenizer",
            "chat_template",
            "modules",
            "name");

    private MergeConfigYaml() {}

    public static MergeConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new MergeException("cannot read merge config " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    public static MergeConfig parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new MergeException(source + ": not valid YAML: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MergeException(source + ": a merge config must be a YAML mapping");
        }
        return new Reader(source).config(root);
    }

    /** Serialises a config as mergekit YAML (accepted by both Chimera and mergekit). */
    public static String write(MergeConfig c) {
        Map<String, Object> out = new LinkedHashMap<>();
        putInputs(out, c.models(), c.slices());
        if (!c.modules().isEmpty()) {
            Map<String, Object> modules = new LinkedHashMap<>();
            c.modules().forEach((name, m) -> {
                Map<String, Object> e = new LinkedHashMap<>();
                putInputs(e, m.models(), m.slices());
                if (!m.parameters().isEmpty()) {
                    e.put("parameters", plain(m.parameters()));
                }
                modules.put(name, e);
            });
            out.put("modules", modules);
        }
        out.put("merge_method", c.mergeMethod());
        if (c.baseModel() != null) {
            out.put("base_model", c.baseModel());
        }
        if (!c.parameters().isEmpty()) {
            out.put("parameters", plain(c.parameters()));
        }
        if (c.dtype() != null) {
            out.put("dtype", c.dtype());
        }
        if (c.outDtype() != null) {
            out.put("out_dtype", c.outDtype());
        }
        if (c.tokenizer() != null) {
            Map<String, Object> block = new LinkedHashMap<>();
            block.put("source", c.tokenizerSource());
            if (c.padVocabToMultipleOf() != null) {
                block.put("pad_to_multiple_of", c.padVocabToMultipleOf());
            }
            if (!c.tokenEmbeddings().isEmpty()) {
                Map<String, Object> tokens = new LinkedHashMap<>();
                c.tokenEmbeddings().forEach((tok, e) -> {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    Map<String, Object> src = new LinkedHashMap<>();
                    switch (e.kind()) {
                        case "model" -> entry.put("source", e.model());
                        case "zero" -> {
                            src.put("kind", "zero");
                            entry.put("source", src);
                        }
                        default -> {
                            src.put("kind", "model_token");
                            src.put("model", e.model());
                            if (e.token() != null) {
                                src.put("token", e.token());
                            } else {
                                src.put("token_id", e.tokenId());
                            }
                            entry.put("source", src);
                        }
                    }
                    entry.put("force", e.force());
                    tokens.put(tok, entry);
                });
                block.put("tokens", tokens);
            }
            out.put("tokenizer", block);
        } else if (c.tokenizerSource() != null) {
            out.put("tokenizer_source", c.tokenizerSource());
        }
        if (c.chatTemplate() != null) {
            out.put("chat_template", c.chatTemplate());
        }
        try {
            return YAML.writeValueAsString(out);
        } catch (IOException e) {
            throw new MergeException("cannot serialise merge config: " + e.getMessage(), e);
        }
    }

    private static void putInputs(
            Map<String, Object> out, List<MergeConfig.InputModel> models, List<MergeConfig.OutputSlice> slices) {
        if (!models.isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (MergeConfig.InputModel m : models) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("model", m.model());
                if (!m.parameters().isEmpty()) {
                    e.put("parameters", plain(m.parameters()));
                }
                list.add(e);
            }
            out.put("models", list);
        } else if (!slices.isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (MergeConfig.OutputSlice s : slices) {
                Map<String, Object> e = new LinkedHashMap<>();
                List<Object> sources = new ArrayList<>();
                for (MergeConfig.InputSlice src : s.sources()) {
                    Map<String, Object> se = new LinkedHashMap<>();
                    se.put("model", src.model());
                    se.put("layer_range", List.of(src.start(), src.end()));
                    if (!src.parameters().isEmpty()) {
                        se.put("parameters", plain(src.parameters()));
                    }
                    sources.add(se);
                }
                e.put("sources", sources);
                if (s.baseModel() != null) {
                    e.put("base_model", s.baseModel());
                }
                if (!s.parameters().isEmpty()) {
                    e.put("parameters", plain(s.parameters()));
                }
                list.add(e);
            }
            out.put("slices", list);
        }
    }

    private static Map<String, Object> plain(Map<String, Setting> params) {
        Map<String, Object> m = new LinkedHashMap<>();
        new TreeMap<>(params).forEach((k, v) -> m.put(k, v.toPlain()));
        return m;
    }

    private record Reader(String source) {
        MergeConfig config(JsonNode root) {
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!TOP_KEYS.contains(k)) {
                    throw new MergeException(
                            source + ": unknown key '" + k + "' (known: " + new TreeSet<>(TOP_KEYS) + ")");
                }
            }
            // mergekit's tokenizer block: source (default union), pad_to_multiple_of, per-token embedding sources
            String blockSource = null;
            MergeConfig.TokenizerBlock block = null;
            if (root.has("tokenizer") && !root.get("tokenizer").isNull()) {
                JsonNode t = obj(root.get("tokenizer"), "tokenizer");
                if (root.has("tokenizer_source")
                        && !root.get("tokenizer_source").isNull()) {
                    throw new MergeException(
                            source + ": give either 'tokenizer_source' or a 'tokenizer' block, not both");
                }
                for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!f.equals("source") && !f.equals("pad_to_multiple_of") && !f.equals("tokens")) {
                        throw new MergeException(source + ": unknown key 'tokenizer." + f + "'");
                    }
                }
                Integer pad = null;
                blockSource = t.has("source") && !t.get("source").isNull() ? modelRef(t, "tokenizer.source") : "union";
                if (t.has("pad_to_multiple_of") && !t.get("pad_to_multiple_of").isNull()) {
                    JsonNode n = t.get("pad_to_multiple_of");
                    if (!n.isIntegralNumber() || n.asInt() < 1) {
                        throw new MergeException(
                                source + ": tokenizer.pad_to_multiple_of must be an integer >= 1, got " + n);
                    }
                    pad = n.asInt();
                }
                Map<String, MergeConfig.TokenEmbedding> tokens = new LinkedHashMap<>();
                if (t.has("tokens") && !t.get("tokens").isNull()) {
                    JsonNode ts = obj(t.get("tokens"), "tokenizer.tokens");
                    for (Iterator<Map.Entry<String, JsonNode>> it = ts.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        tokens.put(e.getKey(), tokenEmbedding(e.getValue(), "tokenizer.tokens." + e.getKey()));
                    }
                }
                block = new MergeConfig.TokenizerBlock(pad, tokens);
            }
            String method = text(root, "merge_method", true);
            int given = (root.has("models") ? 1 : 0) + (root.has("slices") ? 1 : 0) + (root.has("modules") ? 1 : 0);
            if (given != 1) {
                throw new MergeException(
                        source + ": a merge config needs exactly one of 'models', 'slices' or 'modules'");
            }
            Map<String, MergeConfig.OutputModule> modules = new LinkedHashMap<>();
            if (root.has("modules")) {
                JsonNode ms = obj(root.get("modules"), "modules");
                for (Iterator<Map.Entry<String, JsonNode>> it = ms.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String at = "modules." + e.getKey();
                    JsonNode m = obj(e.getValue(), at);
                    for (Iterator<String> keys = m.fieldNames(); keys.hasNext(); ) {
                        String k = keys.next();
                        if (!k.equals("models") && !k.equals("slices") && !k.equals("parameters")) {
                            throw new MergeException(source + ": unknown key '" + at + "." + k + "'");
                        }
                    }
                    if (m.has("models") == m.has("slices")) {
                        throw new MergeException(source + ": " + at + " needs exactly one of 'models' or 'slices'");
                    }
                    modules.put(
                            e.getKey(),
                            new MergeConfig.OutputModule(
                                    models(m, at + "."),
                                    slices(m, at + "."),
                                    params(m.get("parameters"), at + ".parameters")));
                }
            }
            return new MergeConfig(
                    models(root, ""),
                    slices(root, ""),
                    method,
                    optModel(root, "base_model"),
                    params(root.get("parameters"), "parameters"),
                    text(root, "dtype", false),
                    text(root, "out_dtype", false),
                    blockSource != null ? blockSource : optModel(root, "tokenizer_source"),
                    text(root, "chat_template", false),
                    block,
                    modules);
        }

        /** The {@code models} list under {@code n}, empty when absent; {@code at} prefixes the key in messages. */
        private List<MergeConfig.InputModel> models(JsonNode n, String at) {
            List<MergeConfig.InputModel> models = new ArrayList<>();
            if (n.has("models")) {
                JsonNode ms = list(n.get("models"), at + "models");
                for (int i = 0; i < ms.size(); i++) {
                    JsonNode m = obj(ms.get(i), at + "models[" + i + "]");
                    models.add(new MergeConfig.InputModel(
                            modelRef(m, at + "models[" + i + "].model"),
                            params(m.get("parameters"), at + "models[" + i + "].parameters")));
                }
            }
            return models;
        }

        /** The {@code slices} list under {@code n}, empty when absent. */
        private List<MergeConfig.OutputSlice> slices(JsonNode n, String prefix) {
            List<MergeConfig.OutputSlice> slices = new ArrayList<>();
            if (n.has("slices")) {
                JsonNode ss = list(n.get("slices"), prefix + "slices");
                for (int i = 0; i < ss.size(); i++) {
                    String at = prefix + "slices[" + i + "]";
                    JsonNode s = obj(ss.get(i), at);
                    JsonNode srcs = list(s.get("sources"), at + ".sources");
                    List<MergeConfig.InputSlice> sources = new ArrayList<>();
                    for (int j = 0; j < srcs.size(); j++) {
                        String sat = at + ".sources[" + j + "]";
                        JsonNode src = obj(srcs.get(j), sat);
                        JsonNode lr = src.get("layer_range");
                        if (lr == null
                                || !lr.isArray()
                                || lr.size() != 2
                                || !lr.get(0).canConvertToInt()
                                || !lr.get(1).canConvertToInt()
                                || !lr.get(0).isIntegralNumber()
                                || !lr.get(1).isIntegralNumber()) {
                            throw new MergeException(
                                    source + ": " + sat + ".layer_range must be a list of two integers [start, end]");
                        }
                        try {
                            sources.add(new MergeConfig.InputSlice(
                                    modelRef(src, sat + ".model"),
                                    lr.get(0).intValue(),
                                    lr.get(1).intValue(),
                                    params(src.get("parameters"), sat + ".parameters")));
                        } catch (MergeException e) {
                            throw new MergeException(source + ": " + sat + ": " + e.getMessage());
                        }
                    }
                    if (sources.isEmpty()) {
                        throw new MergeException(source + ": " + at + ".sources is empty");
                    }
                    slices.add(new MergeConfig.OutputSlice(
                            sources, optModel(s, "base_model"), params(s.get("parameters"), at + ".parameters")));
                }
            }
            return slices;
        }

        private String optModel(JsonNode n, String key) {
            JsonNode v = n.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            return modelRef(n, key);
        }

        private String modelRef(JsonNode n, String key) {
            String k = key.contains(".") ? key.substring(key.lastIndexOf('.') + 1) : key;
            JsonNode v = n.get(k);
            if (v == null || v.isNull()) {
                throw new MergeException(source + ": missing '" + key + "'");
            }
            if (v.isObject()) {
                // mergekit's long form {model: {path: ...}} or {model: path, lora: ...}
                JsonNode p = v.has("model") ? v.get("model") : v;
                String lora = null;
                if (v.has("lora") && !v.get("lora").isNull()) {
                    JsonNode l = v.get("lora");
                    lora = l.isObject() ? l.path("path").asText(null) : l.asText(null);
                    if (lora == null) {
                        throw new MergeException(source + ": '" + key + "'.lora is not a folder path");
                    }
                }
                String path =
                        p.isObject() && p.has("path") ? p.get("path").asText() : p.isTextual() ? p.asText() : null;
                if (path != null) {
                    return lora == null ? path : path + "+" + lora;
                }
                throw new MergeException(source + ": '" + key + "' is not a model reference");
            }
            if (!v.isTextual()) {
                throw new MergeException(source + ": '" + key + "' must be a model folder path");
            }
            return v.asText();
        }

        private MergeConfig.TokenEmbedding tokenEmbedding(JsonNode v, String at) {
            JsonNode o = obj(v, at);
            boolean force = o.path("force").asBoolean(false);
            JsonNode src = o.get("source");
            if (src == null || src.isNull()) {
                throw new MergeException(source + ": " + at + ".source is missing");
            }
            if (src.isTextual()) {
                return new MergeConfig.TokenEmbedding("model", src.asText(), null, null, force);
            }
            String kind = obj(src, at + ".source").path("kind").asText("");
            switch (kind) {
                case "zero":
                    return new MergeConfig.TokenEmbedding("zero", null, null, null, force);
                case "model_token": {
                    String model = modelRef(src, at + ".source.model");
                    boolean hasToken = src.hasNonNull("token");
                    boolean hasId = src.hasNonNull("token_id");
                    if (hasToken == hasId) {
                        throw new MergeException(source + ": " + at + ".source needs exactly one of token or token_id");
                    }
                    return new MergeConfig.TokenEmbedding(
                            "model_token",
                            model,
                            hasToken ? src.get("token").asText() : null,
                            hasId ? src.get("token_id").asInt() : null,
                            force);
                }
                default:
                    throw new MergeException(
                            source + ": " + at + ".source.kind must be zero or model_token, got '" + kind + "'");
            }
        }

        private String text(JsonNode n, String key, boolean required) {
            JsonNode v = n.get(key);
            if (v == null || v.isNull()) {
                if (required) {
                    throw new MergeException(source + ": missing required key '" + key + "'");
                }
                return null;
            }
            if (!v.isTextual()) {
                throw new MergeException(source + ": '" + key + "' must be a string");
            }
            return v.asText();
        }

        private JsonNode list(JsonNode n, String at) {
            if (n == null || !n.isArray()) {
                throw new MergeException(source + ": '" + at + "' must be a list");
            }
            return n;
        }

        private JsonNode obj(JsonNode n, String at) {
            if (n == null || !n.isObject()) {
                throw new MergeException(source + ": '" + at + "' must be a mapping");
            }
            return n;
        }

        private Map<String, Setting> params(JsonNode n, String at) {
            Map<String, Setting> out = new LinkedHashMap<>();
            if (n == null || n.isNull()) {
                return out;
            }
            if (!n.isObject()) {
                throw new MergeException(source + ": '" + at + "' must be a mapping of parameter names to values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                out.put(e.getKey(), setting(e.getValue(), at + "." + e.getKey()));
            }
            return out;
        }

        private Setting setting(JsonNode v, String at) {
            if (v.isNumber()) {
                return new Setting.Scalar(v.doubleValue());
            }
            if (v.isBoolean()) {
                return new Setting.Scalar(v.booleanValue());
            }
            if (v.isTextual()) {
                return new Setting.Scalar(v.asText());
            }
            if (v.isArray()) {
                if (v.isEmpty()) {
                    throw new MergeException(source + ": '" + at + "' is an empty list");
                }
                boolean allScalars = true;
                for (JsonNode e : v) {
                    allScalars &= e.isValueNode();
                }
                if (allScalars) {
                    List<Object> vals = new ArrayList<>();
                    for (JsonNode e : v) {
                        vals.add(
                                e.isNumber()
                                        ? (Object) e.doubleValue()
                                        : e.isBoolean() ? (Object) e.booleanValue() : e.asText());
                    }
                    return new Setting.Gradient(vals);
                }
                List<Setting.Filtered> entries = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    JsonNode e = v.get(i);
                    if (!e.isObject() || !e.has("value")) {
                        throw new MergeException(
                                source + ": '" + at + "[" + i + "]' must be {filter: ..., value: ...}");
                    }
                    String filter = e.has("filter") && !e.get("filter").isNull()
                            ? e.get("filter").asText()
                            : null;
                    entries.add(new Setting.Filtered(filter, setting(e.get("value"), at + "[" + i + "].value")));
                }
                return new Setting.Conditional(entries);
            }
            if (v.isObject() && v.has("value")) {
                String filter = v.has("filter") && !v.get("filter").isNull()
                        ? v.get("filter").asText()
                        : null;
                return new Setting.Conditional(
                        List.of(new Setting.Filtered(filter, setting(v.get("value"), at + ".value"))));
            }
            throw new MergeException(source + ": '" + at + "' has an unsupported value: " + v);
        }
    }
}
