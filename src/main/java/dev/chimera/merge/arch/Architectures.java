package dev.chimera.merge.arch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.chimera.merge.method.MergeException;
import dev.chimera.tensor.HfConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry of architecture definitions, by config.json class name. Definitions are YAML files (format in
 * docs/architectures.md); every jar on the class path lists its own in {@value #INDEX} (one resource path per line),
 * so a plugin jar adds architectures on every node that has it; {@link #register} adds one in code. A model whose
 * class has no definition gets one inferred from its tensor names ({@code ...layers.N...}), as before definitions
 * existed.
 */
public final class Architectures {
    /** The index resource every jar may carry. */
    public static final String INDEX = "META-INF/chimera/architectures";

    private static final Pattern LAYER = Pattern.compile("^(.*?\\.layers\\.)(\\d+)\\.(.+)$");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> LAYER_VARIABLES = List.of("layer", "num_layers", "expert");
    private static final List<String> OUTER_VARIABLES = List.of("num_layers");
    private static final Set<String> TOP_KEYS = Set.of("architectures", "modules", "description");
    private static final Set<String> MODULE_KEYS =
            Set.of("prefix", "layers", "experts", "pre", "layer", "post", "groups");
    private static final Set<String> WEIGHT_KEYS = Set.of("name", "embed", "optional", "aliases", "tied", "dtype");
    private static final Set<String> GROUP_KEYS = Set.of("attention", "mlp", "embed", "head", "outputs");

    private static Map<String, Architecture> byClass;

    private Architectures() {}

    /** Adds (or replaces, class name by class name) a definition; visible to every later merge in this JVM. */
    public static synchronized void register(Architecture architecture) {
        for (String c : architecture.classNames()) {
            registry().put(c, architecture);
        }
    }

    /** The definition of a config.json class name, if one is registered. */
    public static synchronized Optional<Architecture> forClass(String className) {
        return Optional.ofNullable(registry().get(className));
    }

    /** Every registered definition, each once. */
    public static synchronized Collection<Architecture> all() {
        return List.copyOf(new LinkedHashSet<>(registry().values()));
    }

    /**
     * The definition for a model: by its config's first {@code architectures} entry, or else inferred from its tensor
     * names.
     */
    public static Architecture of(HfConfig config, List<String> tensorNames) {
        Optional<String> cls = config.architecture();
        Optional<Architecture> known = cls.flatMap(Architectures::forClass);
        return known.orElseGet(() -> inferred(cls.orElse("(no architectures entry)"), tensorNames, config));
    }

    /** Reads a definition file; {@code name} defaults to the file name without extension. */
    public static Architecture load(Path file) {
        try {
            return parse(
                    Files.readString(file),
                    file.getFileName().toString().replaceFirst("\\.ya?ml$", ""),
                    file.toString());
        } catch (IOException e) {
            throw new MergeException(file + ": cannot read architecture definition: " + e.getMessage(), e);
        }
    }

    /** Parses a definition; errors name {@code source} and the key at fault. */
    public static Architecture parse(String yaml, String name, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new MergeException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new MergeException(source + ": an architecture definition is a YAML mapping");
        }
        List<String> classes = strings(root.get("architectures"), source, "architectures");
        if (classes.isEmpty()) {
            throw new MergeException(source + ": key architectures must list at least one class name");
        }
        Map<String, ModuleDef> modules = new LinkedHashMap<>();
        if (root.has("modules")) {
            checkKeys(root, TOP_KEYS, source, "");
            JsonNode mods = root.get("modules");
            if (!mods.isObject() || mods.isEmpty()) {
                throw new MergeException(source + ": key modules must map module names to modules");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = mods.fields(); it.hasNext(); ) {
                var e = it.next();
                modules.put(e.getKey(), module(e.getKey(), e.getValue(), source, "modules." + e.getKey() + "."));
            }
        } else {
            Set<String> keys = new LinkedHashSet<>(TOP_KEYS);
            keys.addAll(MODULE_KEYS);
            checkKeys(root, keys, source, "");
            modules.put("default", module("default", root, source, ""));
        }
        return new Architecture(name, classes, modules, source);
    }

    private static ModuleDef module(String name, JsonNode node, String source, String path) {
        if (!node.isObject()) {
            throw new MergeException(source + ": " + path + " must be a mapping");
        }
        if (!path.isEmpty()) {
            checkKeys(node, MODULE_KEYS, source, path);
        }
        JsonNode layers = node.get("layers");
        if (layers != null && !layers.isTextual()) {
            throw new MergeException(
                    source + ": key " + path + "layers must be the config.json key of the layer count");
        }
        JsonNode experts = node.get("experts");
        if (experts != null && !experts.isTextual()) {
            throw new MergeException(
                    source + ": key " + path + "experts must be the config.json key of the expert count");
        }
        List<WeightDef> pre = weights(node.get("pre"), source, path + "pre", OUTER_VARIABLES);
        List<WeightDef> layer = weights(node.get("layer"), source, path + "layer", LAYER_VARIABLES);
        List<WeightDef> post = weights(node.get("post"), source, path + "post", OUTER_VARIABLES);
        if (layers == null && !layer.isEmpty()) {
            throw new MergeException(
                    source + ": " + path + "layer lists weights but key " + path + "layers is missing");
        }
        if (experts == null && layer.stream().anyMatch(w -> w.uses("expert"))) {
            throw new MergeException(
                    source + ": " + path + "layer uses $expert but key " + path + "experts is missing");
        }
        if (pre.isEmpty() && layer.isEmpty() && post.isEmpty()) {
            throw new MergeException(source + ": module " + name + " lists no weights");
        }
        return new ModuleDef(
                name,
                text(node.get("prefix"), source, path + "prefix"),
                layers == null ? null : layers.asText(),
                experts == null ? null : experts.asText(),
                pre,
                layer,
                post,
                groups(node.get("groups"), source, path + "groups"));
    }

    private static List<WeightDef> weights(JsonNode node, String source, String path, List<String> variables) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new MergeException(source + ": key " + path + " must be a list of weights");
        }
        List<WeightDef> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode w = node.get(i);
            String at = path + "[" + i + "]";
            WeightDef def;
            if (w.isTextual()) {
                def = WeightDef.of(w.asText());
            } else if (w.isObject()) {
                checkKeys(w, WEIGHT_KEYS, source, at + ".");
                String name = text(w.get("name"), source, at + ".name");
                if (name == null) {
                    throw new MergeException(source + ": " + at + " has no name");
                }
                def = new WeightDef(
                        name,
                        bool(w.get("embed"), source, at + ".embed"),
                        bool(w.get("optional"), source, at + ".optional"),
                        strings(w.get("aliases"), source, at + ".aliases"),
                        strings(w.get("tied"), source, at + ".tied"),
                        text(w.get("dtype"), source, at + ".dtype"));
            } else {
                throw new MergeException(source + ": " + at + " must be a tensor name or a mapping with a name");
            }
            List<String> unknown = def.unknownVariables(variables);
            if (!unknown.isEmpty()) {
                throw new MergeException(
                        source + ": " + at + " (" + def.name() + ") uses " + unknown + "; allowed here: "
                                + variables.stream().map(v -> "$" + v).toList());
            }
            out.add(def);
        }
        return out;
    }

    private static LayerGroups groups(JsonNode node, String source, String path) {
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw new MergeException(source + ": key " + path + " must be a mapping");
        }
        checkKeys(node, GROUP_KEYS, source, path + ".");
        return new LayerGroups(
                strings(node.get("attention"), source, path + ".attention"),
                strings(node.get("mlp"), source, path + ".mlp"),
                strings(node.get("embed"), source, path + ".embed"),
                strings(node.get("head"), source, path + ".head"),
                strings(node.get("outputs"), source, path + ".outputs"));
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String source, String path) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new MergeException(source + ": unknown key " + path + k + " (known: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode node, String source, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new MergeException(source + ": key " + path + " must be a string, got " + node);
        }
        return node.asText();
    }

    private static boolean bool(JsonNode node, String source, String path) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new MergeException(source + ": key " + path + " must be true or false, got " + node);
        }
        return node.booleanValue();
    }

    private static List<String> strings(JsonNode node, String source, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (!node.isArray()) {
            throw new MergeException(source + ": key " + path + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw new MergeException(source + ": key " + path + " must be a list of strings, got " + n);
            }
            out.add(n.asText());
        }
        return out;
    }

    private static Map<String, Architecture> registry() {
        if (byClass == null) {
            // built aside and set only when complete: a bad definition fails every lookup, not just the first
            Map<String, Architecture> loaded = new LinkedHashMap<>();
            ClassLoader cl = Architectures.class.getClassLoader();
            try {
                Enumeration<URL> indexes = cl.getResources(INDEX);
                while (indexes.hasMoreElements()) {
                    URL index = indexes.nextElement();
                    for (String res : lines(index)) {
                        URL def = cl.getResource(res);
                        if (def == null) {
                            throw new MergeException(index + " lists " + res + ", which is not on the class path");
                        }
                        try (InputStream in = def.openStream()) {
                            String name =
                                    res.substring(res.lastIndexOf('/') + 1).replaceFirst("\\.ya?ml$", "");
                            Architecture a =
                                    parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name, def.toString());
                            for (String c : a.classNames()) {
                                loaded.put(c, a);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new MergeException(
                        "cannot read the architecture definitions on the class path: " + e.getMessage(), e);
            }
            byClass = loaded;
        }
        return byClass;
    }

    private static List<String> lines(URL index) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(index.openStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    /**
     * A definition for a model of unknown class, read off its tensor names: tensors named {@code ...layers.N.rest}
     * are layer weights (optional when some layers lack them), the others go before the layers when they are
     * embeddings and after them otherwise; an absent {@code lm_head} reads the embedding (tied weights).
     */
    static Architecture inferred(String className, List<String> tensorNames, HfConfig config) {
        List<WeightDef> pre = new ArrayList<>();
        List<WeightDef> post = new ArrayList<>();
        Map<String, Set<Integer>> layerTemplates = new LinkedHashMap<>();
        Set<Integer> allLayers = new LinkedHashSet<>();
        String embedding = null;
        for (String n : tensorNames) {
            Matcher m = LAYER.matcher(n);
            if (m.matches()) {
                int layer = Integer.parseInt(m.group(2));
                layerTemplates
                        .computeIfAbsent(m.group(1) + "$layer." + m.group(3), k -> new LinkedHashSet<>())
                        .add(layer);
                allLayers.add(layer);
            } else if (n.contains("embed") && !isHead(n)) {
                pre.add(new WeightDef(n, isEmbed(n), false, List.of(), List.of(), null));
                embedding = embedding == null && n.endsWith("embed_tokens.weight") ? n : embedding;
            }
        }
        for (String n : tensorNames) {
            if (!LAYER.matcher(n).matches() && !(n.contains("embed") && !isHead(n))) {
                post.add(new WeightDef(n, isEmbed(n), false, List.of(), List.of(), null));
            }
        }
        if (embedding != null && post.stream().noneMatch(w -> w.name().equals("lm_head.weight"))) {
            post.add(new WeightDef("lm_head.weight", true, true, List.of(), List.of(embedding), null));
        }
        List<WeightDef> layer = new ArrayList<>();
        layerTemplates.forEach((t, layers) ->
                layer.add(new WeightDef(t, isEmbed(t), layers.size() < allLayers.size(), List.of(), List.of(), null)));
        ModuleDef module = new ModuleDef(
                "default", "", layer.isEmpty() ? null : "num_hidden_layers", null, pre, layer, post, LayerGroups.LLAMA);
        return new Architecture(
                "inferred",
                List.of(className),
                Map.of("default", module),
                "inferred from the tensor names of " + config.source());
    }

    private static boolean isHead(String name) {
        return name.startsWith("lm_head.") || name.contains(".lm_head.");
    }

    private static boolean isEmbed(String name) {
        return name.contains("embed_tokens") || isHead(name) || name.contains("embed_out") || name.contains(".wte.");
    }
}
