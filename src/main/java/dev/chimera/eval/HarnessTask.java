package dev.chimera.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.chimera.jinja.Jinja;
import dev.chimera.jinja.JinjaException;
import dev.chimera.jinja.PyRegex;
import dev.chimera.jinja.Template;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An lm-evaluation-harness task file (0.4 format) read as lm-eval reads it, or a group file of such tasks. Each
 * evaluated document becomes one {@link Item} whose question is lm-eval's whole context (description, few-shot
 * examples drawn by its sampler, the document's text), so a prompt here is lm-eval's prompt byte for byte; what a
 * document is scored by (target delimiter, generation stops, filters, metrics) stays per task in a {@link Spec}.
 *
 * <p>Keys read: task, include, group (with task lists of names, tags and inline configs), dataset_path / dataset_name
 * / dataset_kwargs.data_files (local files, see {@link HarnessData}), test/validation/training/fewshot_split,
 * num_fewshot, fewshot_config (sampler default | first_n, split, samples, doc_to_* and delimiters), doc_to_text /
 * doc_to_target / doc_to_choice (field names, lists, Jinja templates rendered in lm-eval's environment),
 * target_delimiter, fewshot_delimiter, description, output_type (multiple_choice, generate_until, loglikelihood),
 * generation_kwargs (until, max_gen_toks, greedy only), filter_list (regex, take_first, remove_whitespace,
 * lowercase, uppercase), metric_list (acc, acc_norm, exact_match with its options, perplexity). Keys that do not
 * change the scores (tag, task_alias, metadata, should_decontaminate, ...) are accepted; {@code !function} (Python)
 * is refused with its key and line, as is anything else Chimera cannot do as lm-eval would.
 */
public final class HarnessTask {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Jinja ENV = Jinja.lmEval();
    private static final Map<String, Template> TEMPLATES = new ConcurrentHashMap<>();
    private static final Pattern FUNCTION_TAG =
            Pattern.compile("^(\\s*)(?:-\\s+)?(?:[\"']?([\\w.-]+)[\"']?\\s*:\\s*)?!function\\s+(\\S+)");
    private static final Pattern KEY_LINE = Pattern.compile("^(\\s*)(?:-\\s+)?[\"']?([\\w.-]+)[\"']?\\s*:");
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final int DEFAULT_FEWSHOT_SEED = 1234;
    private static final Set<String> KNOWN = Set.of(
            "task",
            "task_alias",
            "tag",
            "group",
            "group_alias",
            "dataset_path",
            "dataset_name",
            "dataset_kwargs",
            "training_split",
            "validation_split",
            "test_split",
            "fewshot_split",
            "num_fewshot",
            "fewshot_config",
            "doc_to_text",
            "doc_to_target",
            "doc_to_choice",
            "target_delimiter",
            "fewshot_delimiter",
            "description",
            "output_type",
            "generation_kwargs",
            "filter_list",
            "metric_list",
            "metadata",
            "repeats",
            "should_decontaminate",
            "doc_to_decontamination_query",
            "unsafe_code",
            "gen_prefix",
            "process_docs",
            "process_results",
            "use_prompt",
            "doc_to_image",
            "doc_to_audio",
            "custom_dataset",
            "task_list",
            "aggregate_metric_list");

    /** A filter pipeline of filter_list: its name and steps (function + arguments). */
    public record Pipeline(String name, List<JsonNode> steps) {}

    /** A metric of metric_list with exact_match's options. */
    public record Metric(
            String name, boolean ignoreCase, boolean ignorePunctuation, boolean ignoreNumbers, List<String> regexes) {}

    /** A turn of lm-eval's prompt (its Message): plain text is content + delimiter; a chat uses role and content. */
    public record Turn(String role, String content, String delimiter) {}

    /** How one task's documents are scored. */
    public record Spec(
            String task,
            String outputType,
            String targetDelimiter,
            String fewshotDelimiter,
            List<String> until,
            int maxGenToks,
            List<Pipeline> filters,
            List<Metric> metrics) {
        /** lm-eval's result key of the first metric under the first filter, e.g. "exact_match,strict-match". */
        public String primaryKey() {
            return metrics.get(0).name() + "," + filters.get(0).name();
        }
    }

    private final String name;
    private final Path file;
    private final String outputType;
    private final List<Spec> specs;
    private final Map<String, Spec> specOfItem;
    private final List<Item> items;
    private final Map<String, List<Turn>> turns;
    private final boolean chat;
    private final String fingerprint;

    private HarnessTask(
            String name,
            Path file,
            String outputType,
            List<Spec> specs,
            Map<String, Spec> specOfItem,
            List<Item> items,
            Map<String, List<Turn>> turns,
            boolean chat,
            String fingerprint) {
        this.name = name;
        this.file = file;
        this.outputType = outputType;
        this.specs = List.copyOf(specs);
        this.specOfItem = Map.copyOf(specOfItem);
        this.items = List.copyOf(items);
        this.turns = Map.copyOf(turns);
        this.chat = chat;
        this.fingerprint = fingerprint;
    }

    /** Whether a parsed task file is in lm-eval's format (a {@code task} or {@code group} key). */
    public static boolean isHarnessFile(JsonNode root) {
        return root.has("task") || root.has("group") || root.has("include");
    }

    public String name() {
        return name;
    }

    public Path file() {
        return file;
    }

    /** multiple_choice, generate_until or loglikelihood (one per file). */
    public String outputType() {
        return outputType;
    }

    public List<Spec> specs() {
        return specs;
    }

    public List<Item> items() {
        return items;
    }

    /** The scoring rules of an item's task. */
    public Spec spec(String itemId) {
        Spec s = specOfItem.get(itemId);
        if (s == null) {
            throw new EvalException("task " + name + " has no item '" + itemId + "'");
        }
        return s;
    }

    /** Whether the contexts went through a chat template (multiple choice then scores the choices undelimited). */
    public boolean chat() {
        return chat;
    }

    /** The turns of an item's prompt: the description (system), few-shot questions and answers, the question. */
    public List<Turn> turns(String itemId) {
        spec(itemId);
        return turns.get(itemId);
    }

    /**
     * The task with every context rendered through a chat template as lm-eval's {@code --apply_chat_template} does:
     * the system instruction and the description as a system message, then the few-shot examples as alternating
     * user/assistant messages ({@code fewshotAsMultiturn}) or all collapsed with the question into one user message,
     * rendered with the generation prompt (a template that refuses the system message is tried again without it).
     * Multiple-choice continuations then lose their target delimiter, as in lm-eval.
     *
     * @param systemInstruction null for none
     * @param templateArgs extra template variables (enable_thinking, ...)
     */
    public HarnessTask withChatTemplate(
            ChatTemplate template, boolean fewshotAsMultiturn, String systemInstruction, Map<String, ?> templateArgs) {
        if (chat) {
            throw new EvalException("task " + name + " already went through a chat template");
        }
        List<Item> rendered = new ArrayList<>(items.size());
        for (Item item : items) {
            String ctx = chatContext(item.id(), template, fewshotAsMultiturn, systemInstruction, templateArgs);
            if (item instanceof Item.Choice c) {
                rendered.add(new Item.Choice(c.id(), ctx, c.choices(), c.answer()));
            } else if (item instanceof Item.Text t) {
                rendered.add(new Item.Text(t.id(), ctx, t.target()));
            } else {
                throw new EvalException("item " + item.id() + " is not an lm-eval item");
            }
        }
        String how = "chat(" + fewshotAsMultiturn + "," + systemInstruction + "," + templateArgs + ")";
        return new HarnessTask(name, file, outputType, specs, specOfItem, rendered, turns, true, fingerprint + how);
    }

    private String chatContext(
            String id, ChatTemplate template, boolean multiturn, String systemInstruction, Map<String, ?> args) {
        List<Turn> t = turns(id);
        String description =
                !t.isEmpty() && t.get(0).role().equals("system") ? t.get(0).content() : null;
        List<Turn> rest = description != null ? t.subList(1, t.size()) : t;
        String system = maybeDelimit(systemInstruction, description, spec(id).fewshotDelimiter());
        List<Map<String, Object>> messages = new ArrayList<>();
        if (!system.isEmpty()) {
            messages.add(message("system", system));
        }
        if (multiturn) {
            rest.forEach(x -> messages.add(message(x.role(), x.content())));
        } else {
            StringBuilder user = new StringBuilder();
            for (int i = 0; i < rest.size(); i++) {
                user.append(rest.get(i).content())
                        .append(i < rest.size() - 1 ? rest.get(i).delimiter() : "");
            }
            messages.add(message("user", user.toString()));
        }
        try {
            return template.render(messages, true, args);
        } catch (EvalException e) {
            // lm-eval: "Failed to apply chat template. removing the system role in chat history."
            List<Map<String, Object>> noSystem = messages.stream()
                    .filter(m -> !"system".equals(m.get("role")))
                    .toList();
            return template.render(noSystem, true, args);
        }
    }

    private static Map<String, Object> message(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    /** lm-eval's maybe_delimit: join with the delimiter unless either side already has whitespace there. */
    static String maybeDelimit(String prefix, String suffix, String delimiter) {
        if (prefix == null || prefix.isEmpty()) {
            return suffix == null ? "" : suffix;
        }
        if (suffix == null || suffix.isEmpty()) {
            return prefix;
        }
        boolean spaced =
                Jinja.pyIsSpace(prefix.codePointBefore(prefix.length())) || Jinja.pyIsSpace(suffix.codePointAt(0));
        return spaced ? prefix + suffix : prefix + delimiter + suffix;
    }

    /** The resolved configurations as one canonical JSON string (part of a task's fingerprint). */
    public String fingerprint() {
        return fingerprint;
    }

    // ---------------------------------------------------------------- loading

    /** Reads a task or group file and renders its documents. */
    public static HarnessTask load(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        ObjectNode root = loadYaml(abs, new LinkedHashSet<>());
        List<Resolved> tasks = new ArrayList<>();
        String name;
        if (root.has("group")) {
            name = text(root, "group");
            expandGroup(root, abs, new TaskIndex(abs.getParent()), tasks, new LinkedHashSet<>());
        } else {
            if (!root.has("task") || !root.get("task").isTextual()) {
                throw new EvalException(
                        abs + ": an lm-eval task file needs 'task' (a name) or 'group' with a task list");
            }
            name = root.get("task").asText();
            tasks.add(new Resolved(root, abs));
        }
        if (tasks.isEmpty()) {
            throw new EvalException(abs + ": the group has no tasks");
        }
        List<Spec> specs = new ArrayList<>();
        Map<String, Spec> specOfItem = new HashMap<>();
        List<Item> items = new ArrayList<>();
        Map<String, List<Turn>> turns = new HashMap<>();
        String type = null;
        boolean group = root.has("group");
        ObjectNode fp = YAML.createObjectNode();
        for (Resolved r : tasks) {
            Loaded l = loadTask(r.config(), r.file(), group);
            if (type != null && !type.equals(l.spec().outputType())) {
                throw new EvalException(abs + ": group mixes output types (" + type + " and "
                        + l.spec().outputType() + " in " + l.spec().task()
                        + "); one task file here is scored by one output type");
            }
            type = l.spec().outputType();
            specs.add(l.spec());
            for (Item item : l.items()) {
                if (specOfItem.put(item.id(), l.spec()) != null) {
                    throw new EvalException(abs + ": task " + l.spec().task() + " appears twice in the group");
                }
                items.add(item);
            }
            turns.putAll(l.turns());
            fp.set(l.spec().task(), r.config());
        }
        return new HarnessTask(name, abs, type, specs, specOfItem, items, turns, false, fp.toString());
    }

    private record Resolved(ObjectNode config, Path file) {}

    /** YAML with lm-eval's include (local keys win) and the !function refusal. */
    static ObjectNode loadYaml(Path file, Set<Path> seen) {
        if (!seen.add(file)) {
            throw new EvalException("include cycle at " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new EvalException("task file " + file + " does not exist");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EvalException("cannot read task file " + file + ": " + e.getMessage(), e);
        }
        refuseFunctions(text, file);
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (IOException e) {
            throw new EvalException("cannot parse task file " + file + ": " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new EvalException("task file " + file + " must be a mapping of keys");
        }
        ObjectNode cfg = (ObjectNode) node;
        JsonNode include = cfg.remove("include");
        if (include == null) {
            return cfg;
        }
        ObjectNode merged = YAML.createObjectNode();
        List<String> incs = new ArrayList<>();
        if (include.isArray()) {
            include.forEach(i -> incs.add(i.asText()));
        } else {
            incs.add(include.asText());
        }
        for (String inc : incs) {
            Path p = Path.of(inc).isAbsolute() ? Path.of(inc) : file.getParent().resolve(inc);
            ObjectNode inner = loadYaml(p.normalize(), seen);
            inner.remove("task_list");
            merged.setAll(inner);
        }
        merged.setAll(cfg);
        return merged;
    }

    /** Every {@code !function} names its key and line: Chimera runs no Python. */
    static void refuseFunctions(String text, Path file) {
        String[] lines = text.split("\n", -1);
        List<String> found = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            Matcher m = FUNCTION_TAG.matcher(lines[i]);
            if (!m.find()) {
                continue;
            }
            String key = m.group(2);
            if (key == null) {
                int indent = m.group(1).length();
                for (int j = i - 1; j >= 0 && key == null; j--) {
                    Matcher k = KEY_LINE.matcher(lines[j]);
                    if (k.find() && k.group(1).length() < indent + 1) {
                        key = k.group(2);
                    }
                }
            }
            found.add("key '" + (key == null ? "?" : key) + "' on line " + (i + 1) + " (!function " + m.group(3) + ")");
        }
        if (!found.isEmpty()) {
            throw new EvalException(file + ": " + String.join("; ", found) + " is a Python function, and Chimera runs"
                    + " no Python: write it as a Jinja template or a field name, or preprocess the documents into the"
                    + " dataset files");
        }
    }

    /** Task names, tags and groups of the YAML files under a folder (lm-eval's task index, for group lists). */
    private static final class TaskIndex {
        final Map<String, List<Path>> byName = new LinkedHashMap<>();
        final Path root;
        boolean built;

        TaskIndex(Path root) {
            this.root = root;
        }

        List<Path> find(String name) {
            if (!built) {
                built = true;
                try (Stream<Path> s = Files.walk(root)) {
                    s.filter(p -> {
                                String f = p.getFileName().toString();
                                return f.endsWith(".yaml") || f.endsWith(".yml");
                            })
                            .sorted()
                            .forEach(this::add);
                } catch (IOException e) {
                    throw new EvalException("cannot list task files under " + root + ": " + e.getMessage(), e);
                }
            }
            return byName.getOrDefault(name, List.of());
        }

        private void add(Path p) {
            JsonNode n;
            try {
                n = YAML.readTree(p.toFile());
            } catch (IOException e) {
                return; // not a task file (or one we cannot read): lm-eval's index skips it too
            }
            if (n == null || !n.isObject()) {
                return;
            }
            for (String key : List.of("task", "group", "tag")) {
                JsonNode v = n.get(key);
                if (v != null && v.isTextual()) {
                    byName.computeIfAbsent(v.asText(), k -> new ArrayList<>()).add(p);
                } else if (v != null && v.isArray() && key.equals("tag")) {
                    v.forEach(t -> byName.computeIfAbsent(t.asText(), k -> new ArrayList<>())
                            .add(p));
                }
            }
        }
    }

    private static void expandGroup(
            ObjectNode group, Path file, TaskIndex index, List<Resolved> out, Set<String> seen) {
        JsonNode list = group.get("task");
        if (list == null || !list.isArray()) {
            throw new EvalException(file + ": group " + text(group, "group") + " needs 'task', a list");
        }
        for (JsonNode entry : list) {
            if (entry.isTextual()) {
                expandName(entry.asText(), null, file, index, out, seen);
            } else if (entry.isObject()) {
                ObjectNode e = (ObjectNode) entry;
                if (e.has("group")) {
                    expandGroup(e, file, index, out, seen);
                } else if (e.has("task") && !index.find(e.get("task").asText()).isEmpty() && !e.has("dataset_path")) {
                    expandName(e.get("task").asText(), e, file, index, out, seen);
                } else {
                    out.add(new Resolved(e, file));
                }
            } else {
                throw new EvalException(file + ": a group's task entry must be a name or a mapping, got " + entry);
            }
        }
    }

    private static void expandName(
            String name, ObjectNode overrides, Path from, TaskIndex index, List<Resolved> out, Set<String> seen) {
        List<Path> files = index.find(name);
        if (files.isEmpty()) {
            throw new EvalException(from + ": group lists '" + name + "', which no task file under " + index.root
                    + " defines (as task, group or tag)");
        }
        for (Path p : files) {
            ObjectNode cfg = loadYaml(p.toAbsolutePath().normalize(), new LinkedHashSet<>());
            if (cfg.has("group") && name.equals(text(cfg, "group"))) {
                if (!seen.add(name)) {
                    throw new EvalException(from + ": group '" + name + "' includes itself");
                }
                expandGroup(cfg, p, index, out, seen);
            } else if (cfg.has("task") && cfg.get("task").isTextual()) {
                if (overrides != null) {
                    cfg.setAll(overrides);
                }
                out.add(new Resolved(cfg, p.toAbsolutePath().normalize()));
            }
        }
    }

    // ---------------------------------------------------------------- one task

    private record Loaded(Spec spec, List<Item> items, Map<String, List<Turn>> turns) {}

    /** The formatting rules of the evaluated documents or of the few-shot examples. */
    private record Format(
            JsonNode text, JsonNode target, JsonNode choice, String targetDelimiter, String fewshotDelimiter) {}

    private static Loaded loadTask(ObjectNode cfg, Path file, boolean inGroup) {
        String task = text(cfg, "task");
        String where = file + (inGroup ? " (task " + task + ")" : "");
        cfg.fieldNames().forEachRemaining(k -> {
            if (!KNOWN.contains(k)) {
                throw new EvalException(where + ": unknown key '" + k + "'");
            }
        });
        for (String k : List.of(
                "process_docs",
                "process_results",
                "custom_dataset",
                "use_prompt",
                "doc_to_image",
                "doc_to_audio",
                "gen_prefix")) {
            if (cfg.hasNonNull(k)) {
                throw new EvalException(where + ": '" + k + "' is not supported here");
            }
        }
        if (cfg.hasNonNull("repeats") && cfg.get("repeats").asInt() != 1) {
            throw new EvalException(where + ": repeats must be 1 (greedy decoding gives one answer)");
        }
        String outputType = cfg.hasNonNull("output_type") ? text(cfg, "output_type") : "generate_until";
        if (!Set.of("multiple_choice", "generate_until", "loglikelihood").contains(outputType)) {
            throw new EvalException(where + ": output_type '" + outputType
                    + "' is not supported (multiple_choice, generate_until, loglikelihood)");
        }
        String targetDelimiter = cfg.hasNonNull("target_delimiter") ? text(cfg, "target_delimiter") : " ";
        String fewshotDelimiter = cfg.hasNonNull("fewshot_delimiter") ? text(cfg, "fewshot_delimiter") : "\n\n";
        JsonNode fsc = cfg.get("fewshot_config");
        if (fsc != null && !fsc.isNull() && !fsc.isObject()) {
            throw new EvalException(where + ": fewshot_config must be a mapping");
        }
        ObjectNode fewshotConfig = fsc == null || fsc.isNull() ? YAML.createObjectNode() : (ObjectNode) fsc;
        fewshotConfig.fieldNames().forEachRemaining(k -> {
            if (!Set.of(
                            "sampler",
                            "split",
                            "samples",
                            "fewshot_indices",
                            "doc_to_text",
                            "doc_to_target",
                            "doc_to_choice",
                            "target_delimiter",
                            "fewshot_delimiter")
                    .contains(k)) {
                throw new EvalException(where + ": fewshot_config key '" + k + "' is not supported");
            }
        });
        Format docs = new Format(
                cfg.get("doc_to_text"),
                cfg.get("doc_to_target"),
                cfg.get("doc_to_choice"),
                targetDelimiter,
                fewshotDelimiter);
        Format shots = new Format(
                or(fewshotConfig.get("doc_to_text"), docs.text()),
                or(fewshotConfig.get("doc_to_target"), docs.target()),
                or(fewshotConfig.get("doc_to_choice"), docs.choice()),
                fewshotConfig.hasNonNull("target_delimiter")
                        ? text(fewshotConfig, "target_delimiter")
                        : targetDelimiter,
                fewshotConfig.hasNonNull("fewshot_delimiter")
                        ? text(fewshotConfig, "fewshot_delimiter")
                        : fewshotDelimiter);
        if (docs.text() == null || docs.text().isNull()) {
            throw new EvalException(where + ": doc_to_text is missing");
        }
        if (outputType.equals("multiple_choice")
                && (docs.choice() == null || docs.choice().isNull())) {
            throw new EvalException(where + ": a multiple_choice task needs doc_to_choice");
        }

        Spec spec = new Spec(
                task,
                outputType,
                targetDelimiter,
                fewshotDelimiter,
                until(cfg, fewshotDelimiter, outputType, where),
                maxGenToks(cfg, where),
                filters(cfg, where),
                metrics(cfg, outputType, where));
        String testSplit = str(cfg, "test_split");
        String validationSplit = str(cfg, "validation_split");
        String trainingSplit = str(cfg, "training_split");
        String evalSplit = testSplit != null ? testSplit : validationSplit;
        if (evalSplit == null) {
            throw new EvalException(where + ": no test_split or validation_split to evaluate");
        }
        int numFewshot = cfg.hasNonNull("num_fewshot") ? cfg.get("num_fewshot").asInt() : 0;
        if (numFewshot < 0) {
            throw new EvalException(where + ": num_fewshot must be >= 0");
        }
        String fewshotSplit =
                fewshotConfig.hasNonNull("split") ? text(fewshotConfig, "split") : str(cfg, "fewshot_split");
        // lm-eval passes the evaluated document to the sampler (to leave it out) when the configured few-shot split
        // equals test_split, both unset included
        boolean excludeEvalDoc = java.util.Objects.equals(fewshotSplit, testSplit);
        boolean inlineSamples = fewshotSplit == null && fewshotConfig.hasNonNull("samples");
        if (fewshotSplit == null && !inlineSamples) {
            fewshotSplit =
                    trainingSplit != null ? trainingSplit : validationSplit != null ? validationSplit : testSplit;
        }
        Set<String> splits = new LinkedHashSet<>();
        splits.add(evalSplit);
        if (numFewshot > 0 && !inlineSamples) {
            splits.add(fewshotSplit);
        }
        JsonNode kwargs = cfg.get("dataset_kwargs");
        JsonNode dataFiles = kwargs != null && kwargs.isObject() ? kwargs.get("data_files") : null;
        Map<String, List<Map<String, Object>>> data = HarnessData.load(
                file.getParent(), str(cfg, "dataset_path"), str(cfg, "dataset_name"), dataFiles, splits, where);
        List<Map<String, Object>> evalDocs = data.get(evalSplit);
        List<Map<String, Object>> pool = List.of();
        if (numFewshot > 0) {
            if (inlineSamples) {
                JsonNode samples = fewshotConfig.get("samples");
                if (!samples.isArray()) {
                    throw new EvalException(where + ": fewshot_config.samples must be a list of documents");
                }
                List<Map<String, Object>> list = new ArrayList<>();
                samples.forEach(s -> list.add(castDoc(HarnessData.value(s), where)));
                pool = list;
            } else {
                pool = data.get(fewshotSplit);
            }
            JsonNode indices = fewshotConfig.get("fewshot_indices");
            if (indices != null && indices.isArray()) {
                List<Map<String, Object>> picked = new ArrayList<>();
                for (JsonNode i : indices) {
                    picked.add(pool.get(i.asInt()));
                }
                pool = picked;
            }
        }
        String sampler = fewshotConfig.hasNonNull("sampler") ? text(fewshotConfig, "sampler") : "default";
        if (!sampler.equals("default") && !sampler.equals("first_n")) {
            throw new EvalException(where + ": fewshot sampler '" + sampler + "' is not supported (default, first_n)");
        }
        if (numFewshot > pool.size() + (excludeEvalDoc ? -1 : 0) && numFewshot > 0) {
            throw new EvalException(where + ": num_fewshot " + numFewshot + " but the few-shot split has " + pool.size()
                    + " documents");
        }

        String description = cfg.hasNonNull("description") ? text(cfg, "description") : "";
        PyRandom rnd = new PyRandom(DEFAULT_FEWSHOT_SEED);
        List<Item> items = new ArrayList<>();
        Map<String, List<Turn>> turnsOf = new HashMap<>();
        for (int i = 0; i < evalDocs.size(); i++) {
            Map<String, Object> doc = evalDocs.get(i);
            String docWhere = where + ", document " + i + " of split " + evalSplit;
            String id = inGroup ? task + "/" + i : String.valueOf(i);
            try {
                List<Turn> turns = new ArrayList<>();
                String desc = str(resolveField(description, doc));
                if (!desc.isEmpty()) {
                    turns.add(new Turn("system", desc, ""));
                }
                if (numFewshot > 0) {
                    List<Map<String, Object>> shotsOf =
                            sample(sampler, rnd, pool, numFewshot, excludeEvalDoc ? doc : null);
                    for (Map<String, Object> fs : shotsOf) {
                        turns.addAll(example(shots, fs));
                    }
                }
                Object q = docToText(
                        docs.text(),
                        doc,
                        docs.choice() != null && !docs.choice().isNull());
                if (!(q instanceof String text)) {
                    throw new EvalException("doc_to_text gave " + Jinja.pyStr(q)
                            + ", not a text (one context per choice, as Winogrande's, is not supported)");
                }
                turns.add(new Turn("user", text, ""));
                StringBuilder ctx = new StringBuilder();
                turns.forEach(x -> ctx.append(x.content()).append(x.delimiter()));
                items.add(item(id, ctx.toString(), docs, doc, outputType));
                turnsOf.put(id, List.copyOf(turns));
            } catch (JinjaException e) {
                throw new EvalException(docWhere + ": " + e.getMessage(), e);
            } catch (EvalException e) {
                throw new EvalException(docWhere + ": " + e.getMessage(), e);
            }
        }
        return new Loaded(spec, items, turnsOf);
    }

    private static JsonNode or(JsonNode a, JsonNode b) {
        return a != null && !a.isNull() ? a : b;
    }

    /** lm-eval's samplers: first_n takes the pool's head; default is Python's random.sample on seed 1234. */
    private static List<Map<String, Object>> sample(
            String sampler, PyRandom rnd, List<Map<String, Object>> pool, int n, Map<String, Object> evalDoc) {
        if (sampler.equals("first_n")) {
            List<Map<String, Object>> p = evalDoc == null
                    ? pool
                    : pool.stream().filter(d -> !d.equals(evalDoc)).toList();
            return p.subList(0, n);
        }
        if (evalDoc == null) {
            return rnd.sample(pool, n);
        }
        List<Map<String, Object>> drawn = rnd.sample(pool, n + 1);
        List<Map<String, Object>> kept =
                drawn.stream().filter(d -> !d.equals(evalDoc)).toList();
        if (kept.size() < n) {
            List<Map<String, Object>> rest =
                    pool.stream().filter(d -> !d.equals(evalDoc)).toList();
            return rnd.sample(rest, n);
        }
        return kept.subList(0, n);
    }

    /** One few-shot example as lm-eval's build_qa_turn: the question (then the target delimiter) and the answer. */
    private static List<Turn> example(Format f, Map<String, Object> doc) {
        boolean hasChoices = f.choice() != null && !f.choice().isNull();
        Object q = docToText(f.text(), doc, hasChoices);
        List<Object> c = hasChoices ? docToChoice(f.choice(), doc) : null;
        Object a = docToTarget(f.target(), doc, hasChoices);
        if (!(q instanceof String text)) {
            throw new EvalException("few-shot doc_to_text gave " + Jinja.pyStr(q) + ", not a text");
        }
        boolean hasAnswer = a != null && !"".equals(a);
        if (!hasAnswer) {
            return List.of(new Turn("user", text, ""));
        }
        Object answer;
        if (c != null && a instanceof Long i) {
            answer = c.get(i.intValue());
        } else if (a instanceof List<?> l) {
            answer = l.get(0);
        } else {
            answer = a;
        }
        if (!(answer instanceof String s)) {
            throw new EvalException("few-shot answer " + Jinja.pyStr(answer) + " is not a text");
        }
        return List.of(new Turn("user", text, f.targetDelimiter()), new Turn("assistant", s, f.fewshotDelimiter()));
    }

    private static Item item(String id, String context, Format f, Map<String, Object> doc, String outputType) {
        boolean hasChoices = f.choice() != null && !f.choice().isNull();
        Object gold = docToTarget(f.target(), doc, hasChoices);
        switch (outputType) {
            case "multiple_choice" -> {
                List<Object> raw = docToChoice(f.choice(), doc);
                List<String> choices = new ArrayList<>();
                for (Object o : raw) {
                    choices.add(Jinja.pyStr(o));
                }
                int index;
                if (gold instanceof Long i) {
                    index = i.intValue();
                } else if (gold instanceof String s) {
                    index = choices.indexOf(s);
                } else {
                    throw new EvalException("doc_to_target gave " + Jinja.pyStr(gold)
                            + "; several gold answers per document are not supported");
                }
                if (index < 0 || index >= choices.size()) {
                    throw new EvalException("gold answer " + Jinja.pyStr(gold) + " is not one of the " + choices.size()
                            + " choices " + Jinja.pyStr(raw));
                }
                if (choices.size() < 2) {
                    throw new EvalException("a multiple-choice document needs at least 2 choices, got " + choices);
                }
                return new Item.Choice(id, context, choices, index);
            }
            case "loglikelihood" -> {
                if (!(gold instanceof String s) || s.isEmpty()) {
                    throw new EvalException(
                            "doc_to_target must give a non-empty text for loglikelihood, got " + Jinja.pyStr(gold));
                }
                return new Item.Choice(id, context, List.of(s), 0);
            }
            default -> {
                if (hasChoices) {
                    List<Object> choices = docToChoice(f.choice(), doc);
                    if (!(gold instanceof Long i) || i < 0 || i >= choices.size()) {
                        throw new EvalException("doc_to_target " + Jinja.pyStr(gold) + " does not index the choices");
                    }
                    gold = choices.get(i.intValue());
                } else if (gold instanceof List) {
                    throw new EvalException("several gold answers per document are not supported");
                }
                return new Item.Text(id, context, Jinja.pyStr(gold));
            }
        }
    }

    // ---------------------------------------------------------------- lm-eval's doc_to_* rules

    private static String render(String template, Map<String, Object> doc) {
        return TEMPLATES.computeIfAbsent(template, ENV::compile).render(doc);
    }

    private static Object resolveField(String field, Map<String, Object> doc) {
        return doc.containsKey(field) ? doc.get(field) : render(field, doc);
    }

    private static String str(Object v) {
        return v instanceof String s ? s : Jinja.pyStr(v);
    }

    private static boolean isDigits(String s) {
        return !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
    }

    static Object docToText(JsonNode spec, Map<String, Object> doc, boolean hasChoices) {
        if (spec.isIntegralNumber()) {
            return spec.asLong();
        }
        if (!spec.isTextual()) {
            throw new EvalException("doc_to_text must be a field name, a template or an index, got " + spec);
        }
        String s = spec.asText();
        if (doc.containsKey(s)) {
            return doc.get(s);
        }
        String text = render(s, doc);
        return isDigits(text) && hasChoices ? (Object) Long.parseLong(text) : text;
    }

    static Object docToTarget(JsonNode spec, Map<String, Object> doc, boolean hasChoices) {
        if (spec == null || spec.isNull()) {
            throw new EvalException("doc_to_target is missing");
        }
        if (spec.isIntegralNumber()) {
            return spec.asLong();
        }
        if (spec.isArray()) {
            return HarnessData.value(spec);
        }
        if (!spec.isTextual()) {
            throw new EvalException("doc_to_target must be a field name, a template, an index or a list, got " + spec);
        }
        String s = spec.asText();
        if (doc.containsKey(s)) {
            return doc.get(s);
        }
        String text = render(s, doc);
        if (isDigits(text) && hasChoices) {
            return Long.parseLong(text);
        }
        if (text.length() >= 2 && text.startsWith("[") && text.endsWith("]")) {
            try {
                return Jinja.literal(text);
            } catch (JinjaException e) {
                return text;
            }
        }
        return text;
    }

    @SuppressWarnings("unchecked")
    static List<Object> docToChoice(JsonNode spec, Map<String, Object> doc) {
        Object v;
        if (spec.isTextual()) {
            String s = spec.asText();
            if (doc.containsKey(s)) {
                v = doc.get(s);
            } else {
                String text = render(s, doc);
                try {
                    v = Jinja.literal(text);
                } catch (JinjaException e) {
                    throw new EvalException("doc_to_choice rendered " + text + ", which is not a Python list");
                }
            }
        } else if (spec.isArray()) {
            v = HarnessData.value(spec);
        } else if (spec.isObject()) {
            v = new ArrayList<>(((Map<String, Object>) HarnessData.value(spec)).values());
        } else {
            throw new EvalException("doc_to_choice must be a field name, a template, a list or a mapping, got " + spec);
        }
        if (!(v instanceof List)) {
            throw new EvalException("doc_to_choice gave " + Jinja.pyStr(v) + ", not a list");
        }
        return (List<Object>) v;
    }

    // ---------------------------------------------------------------- scoring rules

    private static List<String> until(ObjectNode cfg, String fewshotDelimiter, String outputType, String where) {
        JsonNode g = cfg.get("generation_kwargs");
        if (g == null || g.isNull()) {
            return List.of(fewshotDelimiter);
        }
        if (!g.isObject()) {
            throw new EvalException(where + ": generation_kwargs must be a mapping");
        }
        if (g.has("do_sample") && g.get("do_sample").asBoolean()) {
            throw new EvalException(
                    where + ": generation_kwargs.do_sample: true is not supported (greedy decoding only)");
        }
        g.fieldNames().forEachRemaining(k -> {
            if (!Set.of("until", "max_gen_toks", "do_sample", "temperature", "top_p", "top_k", "num_beams")
                    .contains(k)) {
                throw new EvalException(where + ": generation_kwargs key '" + k + "' is not supported");
            }
        });
        if (g.hasNonNull("num_beams") && g.get("num_beams").asInt() != 1) {
            throw new EvalException(where + ": generation_kwargs.num_beams must be 1 (greedy decoding)");
        }
        JsonNode u = g.get("until");
        List<String> out = new ArrayList<>();
        if (u == null || u.isNull()) {
            out.add(fewshotDelimiter);
        } else if (u.isTextual()) {
            out.add(u.asText());
        } else if (u.isArray()) {
            u.forEach(x -> out.add(x.asText()));
        } else {
            throw new EvalException(where + ": generation_kwargs.until must be a string or a list of strings");
        }
        return out;
    }

    private static int maxGenToks(ObjectNode cfg, String where) {
        JsonNode g = cfg.get("generation_kwargs");
        if (g == null || !g.hasNonNull("max_gen_toks")) {
            return 256;
        }
        int n = g.get("max_gen_toks").asInt();
        if (n < 1) {
            throw new EvalException(where + ": generation_kwargs.max_gen_toks must be >= 1");
        }
        return n;
    }

    private static List<Pipeline> filters(ObjectNode cfg, String where) {
        JsonNode f = cfg.get("filter_list");
        if (f == null || f.isNull()) {
            return List.of(new Pipeline("none", List.of()));
        }
        if (!f.isArray() || f.isEmpty()) {
            throw new EvalException(where + ": filter_list must be a list of {name, filter}");
        }
        List<Pipeline> out = new ArrayList<>();
        for (JsonNode p : f) {
            String name = text(p, "name");
            JsonNode steps = p.get("filter");
            if (steps == null || !steps.isArray()) {
                throw new EvalException(where + ": filter '" + name + "' needs 'filter', a list of functions");
            }
            List<JsonNode> list = new ArrayList<>();
            for (JsonNode s : steps) {
                String fn = text(s, "function");
                if (!Set.of("regex", "take_first", "remove_whitespace", "lowercase", "uppercase")
                        .contains(fn)) {
                    throw new EvalException(where + ": filter function '" + fn + "' in '" + name
                            + "' is not supported (regex, take_first, remove_whitespace, lowercase, uppercase)");
                }
                if (fn.equals("regex")) {
                    PyRegex.compile(
                            s.hasNonNull("regex_pattern")
                                    ? s.get("regex_pattern").asText()
                                    : "#### (\\-?[0-9\\.\\,]+)");
                }
                list.add(s);
            }
            out.add(new Pipeline(name, list));
        }
        return out;
    }

    private static List<Metric> metrics(ObjectNode cfg, String outputType, String where) {
        JsonNode m = cfg.get("metric_list");
        Set<String> allowed = switch (outputType) {
            case "multiple_choice" -> Set.of("acc", "acc_norm");
            case "loglikelihood" -> Set.of("acc", "perplexity");
            default -> Set.of("exact_match");
        };
        List<Metric> out = new ArrayList<>();
        if (m == null || m.isNull()) {
            List<String> defaults = switch (outputType) {
                case "multiple_choice" -> List.of("acc", "acc_norm");
                case "loglikelihood" -> List.of("perplexity", "acc");
                default -> List.of("exact_match");
            };
            defaults.forEach(n -> out.add(new Metric(n, false, false, false, List.of())));
            return out;
        }
        for (JsonNode e : m) {
            String name = text(e, "metric");
            if (!allowed.contains(name)) {
                throw new EvalException(where + ": metric '" + name + "' is not supported for " + outputType + " (use "
                        + String.join(", ", allowed) + ")");
            }
            if (e.hasNonNull("aggregation")
                    && !e.get("aggregation").asText().equals("mean")
                    && !(name.equals("perplexity")
                            && e.get("aggregation").asText().equals("perplexity"))) {
                throw new EvalException(where + ": metric " + name + " aggregation must be mean");
            }
            List<String> regexes = new ArrayList<>();
            JsonNode r = e.get("regexes_to_ignore");
            if (r != null && r.isArray()) {
                for (JsonNode x : r) {
                    PyRegex.compile(x.asText()); // a bad pattern is named when the task loads
                    regexes.add(x.asText());
                }
            }
            out.add(new Metric(
                    name,
                    e.path("ignore_case").asBoolean(false),
                    e.path("ignore_punctuation").asBoolean(false),
                    e.path("ignore_numbers").asBoolean(false),
                    regexes));
        }
        if (out.isEmpty()) {
            throw new EvalException(where + ": metric_list is empty");
        }
        return out;
    }

    /** A response through a filter pipeline (one response per document: take_first keeps it). */
    public static String filter(Pipeline p, String response) {
        String r = response;
        for (JsonNode s : p.steps()) {
            switch (s.get("function").asText()) {
                case "regex" -> r = regex(s, r);
                case "remove_whitespace" -> r = r.strip();
                case "lowercase" -> r = r.toLowerCase(Locale.ROOT);
                case "uppercase" -> r = r.toUpperCase(Locale.ROOT);
                default -> {} // take_first
            }
        }
        return r;
    }

    /** lm-eval's RegexFilter: re.findall, the group_select-th match, a tuple's first non-empty group, stripped. */
    private static String regex(JsonNode s, String resp) {
        String pattern = s.hasNonNull("regex_pattern") ? s.get("regex_pattern").asText() : "#### (\\-?[0-9\\.\\,]+)";
        int select = s.hasNonNull("group_select") ? s.get("group_select").asInt() : 0;
        String fallback = s.hasNonNull("fallback") ? s.get("fallback").asText() : "[invalid]";
        Matcher m = PyRegex.compile(pattern).matcher(resp);
        List<List<String>> matches = new ArrayList<>();
        while (m.find()) {
            List<String> groups = new ArrayList<>();
            if (m.groupCount() == 0) {
                groups.add(m.group());
            } else {
                for (int g = 1; g <= m.groupCount(); g++) {
                    groups.add(m.group(g) == null ? "" : m.group(g));
                }
            }
            matches.add(groups);
        }
        if (matches.isEmpty()) {
            return fallback;
        }
        int i = select < 0 ? matches.size() + select : select;
        if (i < 0 || i >= matches.size()) {
            throw new EvalException(
                    "regex filter: group_select " + select + " but only " + matches.size() + " match(es)");
        }
        List<String> match = matches.get(i);
        String chosen = match.size() == 1
                ? match.get(0)
                : match.stream().filter(g -> !g.isEmpty()).findFirst().orElse(null);
        return chosen == null ? fallback : Jinja.pyStrip(chosen);
    }

    /** lm-eval's exact_match (HF evaluate's): regexes removed, case and punctuation optionally ignored. */
    public static boolean exactMatch(Metric m, String prediction, String reference) {
        return normalise(m, prediction).equals(normalise(m, reference));
    }

    private static String normalise(Metric m, String s) {
        for (String r : m.regexes()) {
            s = PyRegex.sub(r, "", s, 0);
        }
        if (m.ignoreCase()) {
            s = s.toLowerCase(Locale.ROOT);
        }
        if (m.ignorePunctuation()) {
            StringBuilder b = new StringBuilder();
            s.chars().filter(c -> PUNCTUATION.indexOf(c) < 0).forEach(c -> b.append((char) c));
            s = b.toString();
        }
        if (m.ignoreNumbers()) {
            s = s.replaceAll("[0-9]", "");
        }
        return s;
    }

    // ---------------------------------------------------------------- helpers

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw new EvalException("missing or non-text '" + key + "' in " + n);
        }
        return v.asText();
    }

    private static String str(ObjectNode cfg, String key) {
        JsonNode v = cfg.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castDoc(Object v, String where) {
        if (!(v instanceof Map)) {
            throw new EvalException(where + ": fewshot_config.samples must hold documents (mappings)");
        }
        return (Map<String, Object>) v;
    }
}
