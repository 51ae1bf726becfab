package dev.chimera.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads task files and their data.
 *
 * <p>Task file: YAML ({@code .yml}/{@code .yaml}, Jackson) or HOCON ({@code .conf}, Typesafe Config) with keys
 * {@code name} (required), {@code type} ({@code multiple_choice} | {@code generation}, required), {@code data}
 * (required, relative to the task file), {@code format} ({@code jsonl} default | {@code mgsm_tsv} |
 * {@code gsm8k_jsonl}), {@code prompt} (default {@code "Question: {question}\nAnswer:"}), {@code continuation}
 * (default {@code " {choice}"} / {@code " {answer}"}), {@code fewshot} (0), {@code fewshot_data},
 * {@code fewshot_separator} ({@code "\n\n"}), {@code language}, {@code metric} ({@code acc} | {@code acc_norm} for
 * multiple choice, {@code exact_match} for generation), {@code max_new_tokens} (256), {@code stop}
 * (default {@code ["Question:"]}). Unknown keys are errors.
 *
 * <p>Data: multiple-choice JSONL {@code {"id", "question", "choices": [...], "answer": index}}; generation JSONL
 * (and {@code gsm8k_jsonl}) {@code {"id", "question", "answer"}} where the answer is a number or text ending with
 * {@code #### <number>}, id defaulting to the line number; MGSM TSV {@code question<TAB>number}, id = line number.
 * Blank lines are skipped. Every error names the file and line.
 *
 * <p>A YAML file in lm-evaluation-harness's format (a {@code task}, {@code group} or {@code include} key and no
 * {@code name}) is read as lm-eval reads it ({@link HarnessTask}); its items are lm-eval's documents, its metric the
 * first of its metric_list under its first filter (e.g. {@code exact_match,strict-match}).
 */
public final class TaskLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of(
            "name",
            "type",
            "data",
            "format",
            "prompt",
            "continuation",
            "fewshot",
            "fewshot_data",
            "fewshot_separator",
            "language",
            "metric",
            "max_new_tokens",
            "stop");

    private TaskLoader() {}

    /** Reads a task file. */
    public static Task load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new EvalException("task file " + file + " does not exist");
        }
        JsonNode root;
        String fileName = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (fileName.endsWith(".conf")) {
                var config = ConfigFactory.parseFile(
                        file.toFile(),
                        ConfigParseOptions.defaults()
                                .setSyntax(ConfigSyntax.CONF)
                                .setAllowMissing(false));
                root = JSON.valueToTree(config.root().unwrapped());
            } else {
                root = YAML.readTree(file.toFile());
            }
        } catch (ConfigException | IOException e) {
            throw new EvalException("cannot parse task file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull() || (root.isObject() && root.isEmpty())) {
            throw new EvalException("task file " + file + " is empty");
        }
        if (!root.isObject()) {
            throw new EvalException("task file " + file + " must be a mapping of keys, not " + root.getNodeType());
        }
        if (HarnessTask.isHarnessFile(root) && !root.has("name") && !fileName.endsWith(".conf")) {
            return harness(file);
        }
        root.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                throw new EvalException("task file " + file + ": unknown key '" + k + "' (known: " + KEYS + ")");
            }
        });
        Path dir = file.toAbsolutePath().getParent();
        String name = required(root, "name", file);
        Task.Type type = switch (required(root, "type", file)) {
            case "multiple_choice" -> Task.Type.MULTIPLE_CHOICE;
            case "generation" -> Task.Type.GENERATION;
            default ->
                throw new EvalException("task file " + file + ": type must be multiple_choice or generation," + " got '"
                        + root.get("type").asText() + "'");
        };
        Path data = dir.resolve(required(root, "data", file));
        Task.Format format = switch (text(root, "format", "jsonl")) {
            case "jsonl" -> Task.Format.JSONL;
            case "mgsm_tsv" -> Task.Format.MGSM_TSV;
            case "gsm8k_jsonl" -> Task.Format.GSM8K_JSONL;
            default ->
                throw new EvalException("task file " + file + ": format must be jsonl, mgsm_tsv or"
                        + " gsm8k_jsonl, got '" + root.get("format").asText() + "'");
        };
        boolean mc = type == Task.Type.MULTIPLE_CHOICE;
        if (mc && format != Task.Format.JSONL) {
            throw new EvalException("task file " + file + ": multiple_choice tasks read format jsonl only");
        }
        String prompt = text(root, "prompt", Task.DEFAULT_PROMPT);
        if (!prompt.contains("{question}")) {
            throw new EvalException("task file " + file + ": prompt has no {question} placeholder");
        }
        String continuation = text(root, "continuation", mc ? Task.DEFAULT_CHOICE : Task.DEFAULT_ANSWER);
        if (mc && !continuation.contains("{choice}")) {
            throw new EvalException("task file " + file + ": continuation has no {choice} placeholder");
        }
        int fewshot = integer(root, "fewshot", 0, file);
        Path fewshotData = root.hasNonNull("fewshot_data")
                ? dir.resolve(root.get("fewshot_data").asText())
                : null;
        if (fewshot < 0) {
            throw new EvalException("task file " + file + ": fewshot must be >= 0, got " + fewshot);
        }
        if (fewshot > 0 && fewshotData == null) {
            throw new EvalException("task file " + file + ": fewshot " + fewshot + " needs fewshot_data");
        }
        String language =
                root.hasNonNull("language") ? root.get("language").asText().toLowerCase(Locale.ROOT) : null;
        String metric = text(root, "metric", mc ? "acc" : "exact_match");
        Set<String> metrics = mc ? Set.of("acc", "acc_norm") : Set.of("exact_match");
        if (!metrics.contains(metric)) {
            throw new EvalException("task file " + file + ": metric for " + (mc ? "multiple_choice" : "generation")
                    + " must be one of " + metrics + ", got '" + metric + "'");
        }
        int maxNew = integer(root, "max_new_tokens", 256, file);
        if (maxNew < 1) {
            throw new EvalException("task file " + file + ": max_new_tokens must be >= 1, got " + maxNew);
        }
        List<String> stop = new ArrayList<>();
        JsonNode stopNode = root.get("stop");
        if (stopNode == null || stopNode.isNull()) {
            stop.add("Question:");
        } else if (stopNode.isTextual()) {
            stop.add(stopNode.asText());
        } else if (stopNode.isArray()) {
            stopNode.forEach(s -> stop.add(s.asText()));
        } else {
            throw new EvalException("task file " + file + ": stop must be a string or a list of strings");
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw new EvalException("task file " + file + ": stop strings must not be empty");
        }
        return new Task(
                name,
                type,
                data,
                format,
                prompt,
                continuation,
                fewshot,
                fewshotData,
                text(root, "fewshot_separator", "\n\n"),
                language,
                metric,
                maxNew,
                stop,
                file,
                null);
    }

    /** An lm-evaluation-harness task or group file as a task (see {@link HarnessTask}). */
    private static Task harness(Path file) {
        HarnessTask h = HarnessTask.load(file);
        Task.Type type = switch (h.outputType()) {
            case "multiple_choice" -> Task.Type.MULTIPLE_CHOICE;
            case "loglikelihood" -> Task.Type.LOGLIKELIHOOD;
            default -> Task.Type.GENERATION;
        };
        HarnessTask.Spec first = h.specs().get(0);
        return new Task(
                h.name(),
                type,
                h.file(),
                Task.Format.LM_EVAL,
                "{question}",
                "{choice}",
                0,
                null,
                first.targetDelimiter(),
                null,
                first.primaryKey(),
                first.maxGenToks(),
                first.until(),
                h.file(),
                h);
    }

    /** The items of the task's data file. */
    public static List<Item> items(Task task) {
        if (task.harness() != null) {
            return task.harness().items();
        }
        return read(task.data(), task.type(), task.format());
    }

    /** The first {@code fewshot} items of the task's few-shot file (empty when fewshot is 0). */
    public static List<Item> fewshotItems(Task task) {
        if (task.fewshot() == 0) {
            return List.of();
        }
        List<Item> all = read(task.fewshotData(), task.type(), task.format());
        if (all.size() < task.fewshot()) {
            throw new EvalException("few-shot file " + task.fewshotData() + " has " + all.size() + " items, task "
                    + task.name() + " needs " + task.fewshot());
        }
        return List.copyOf(all.subList(0, task.fewshot()));
    }

    /** Reads a data file. */
    public static List<Item> read(Path file, Task.Type type, Task.Format format) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EvalException("cannot read data file " + file + ": " + e, e);
        }
        List<Item> items = new ArrayList<>();
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            int lineNo = i + 1;
            String where = file + " line " + lineNo;
            Item item = switch (format) {
                case MGSM_TSV -> mgsm(line, lineNo, where);
                case JSONL, GSM8K_JSONL ->
                    type == Task.Type.MULTIPLE_CHOICE
                            ? choice(json(line, where), where)
                            : generation(json(line, where), lineNo, where);
                case LM_EVAL -> throw new EvalException(file + " is an lm-eval task file: load it with load()");
            };
            Integer previous = ids.put(item.id(), lineNo);
            if (previous != null) {
                throw new EvalException(where + ": duplicate id '" + item.id() + "' (first on line " + previous + ")");
            }
            items.add(item);
        }
        if (items.isEmpty()) {
            throw new EvalException("data file " + file + " has no items");
        }
        return List.copyOf(items);
    }

    private static Item mgsm(String line, int lineNo, String where) {
        String[] parts = line.split("\t", -1);
        if (parts.length != 2 || parts[0].isBlank()) {
            throw new EvalException(where + ": expected question<TAB>number, got " + parts.length + " field(s)");
        }
        String id = String.valueOf(lineNo);
        BigDecimal answer = NumberExtractor.parseAnswer(parts[1])
                .orElseThrow(() ->
                        new EvalException(where + ": answer of item " + id + " is not a number: '" + parts[1] + "'"));
        return new Item.Generation(id, parts[0], answer, parts[1].strip());
    }

    private static JsonNode json(String line, String where) {
        try {
            JsonNode node = JSON.readTree(line);
            if (node == null || !node.isObject()) {
                throw new EvalException(where + ": expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new EvalException(where + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Item choice(JsonNode n, String where) {
        String id = idOf(n, null, where);
        String question = field(n, "question", where);
        JsonNode choices = n.get("choices");
        if (choices == null || !choices.isArray() || choices.size() < 2) {
            throw new EvalException(where + ": item " + id + " needs 'choices', a list of at least 2 strings");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode c : choices) {
            if (!c.isTextual() || c.asText().isEmpty()) {
                throw new EvalException(where + ": item " + id + " has a choice that is not a non-empty string");
            }
            list.add(c.asText());
        }
        JsonNode answer = n.get("answer");
        if (answer == null || !answer.canConvertToInt() || !answer.isIntegralNumber()) {
            throw new EvalException(where + ": item " + id + " needs 'answer', the index of the right choice");
        }
        int a = answer.asInt();
        if (a < 0 || a >= list.size()) {
            throw new EvalException(where + ": item " + id + " answer " + a + " is outside 0.." + (list.size() - 1));
        }
        return new Item.Choice(id, question, list, a);
    }

    private static Item generation(JsonNode n, int lineNo, String where) {
        String id = idOf(n, String.valueOf(lineNo), where);
        String question = field(n, "question", where);
        JsonNode answer = n.get("answer");
        if (answer == null || answer.isNull() || answer.isContainerNode()) {
            throw new EvalException(
                    where + ": item " + id + " needs 'answer', a number or text ending '#### <number>'");
        }
        String target = answer.asText();
        String number = target;
        int hash = target.lastIndexOf("####");
        if (hash >= 0) {
            number = target.substring(hash + 4);
        }
        String finalNumber = number;
        BigDecimal value = NumberExtractor.parseAnswer(number)
                .orElseThrow(() -> new EvalException(
                        where + ": answer of item " + id + " is not a number: '" + finalNumber.strip() + "'"));
        return new Item.Generation(id, question, value, target);
    }

    private static String idOf(JsonNode n, String fallback, String where) {
        JsonNode id = n.get("id");
        if (id == null || id.isNull()) {
            if (fallback == null) {
                throw new EvalException(where + ": item has no 'id'");
            }
            return fallback;
        }
        if (id.isContainerNode()) {
            throw new EvalException(where + ": 'id' must be a string or number");
        }
        return id.asText();
    }

    private static String field(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new EvalException(where + ": item needs '" + key + "', a non-empty string");
        }
        return v.asText();
    }

    private static String required(JsonNode root, String key, Path file) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull() || v.asText().isBlank()) {
            throw new EvalException("task file " + file + ": missing '" + key + "'");
        }
        return v.asText();
    }

    private static String text(JsonNode root, String key, String def) {
        JsonNode v = root.get(key);
        return v == null || v.isNull() ? def : v.asText();
    }

    private static int integer(JsonNode root, String key, int def, Path file) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new EvalException("task file " + file + ": " + key + " must be an integer, got '" + v.asText() + "'");
        }
        return v.asInt();
    }
}
