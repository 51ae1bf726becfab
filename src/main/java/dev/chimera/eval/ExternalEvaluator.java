package dev.chimera.eval;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.tensor.FileTrees;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A model scored by a command of the user's (lm-evaluation-harness, vLLM, a script): the command runs as
 * {@code /bin/sh -c COMMAND chimera MODEL_DIR ITEMS_FILE}, so it finds the model folder and the items file as
 * {@code "$1"} and {@code "$2"} and in its environment as {@code CHIMERA_MODEL} and {@code CHIMERA_ITEMS}
 * (e.g. {@code command = "python3 eval.py \"$1\" \"$2\""}); the items file holds the item ids to answer, one per
 * line (empty when the objective has no items). It prints JSON lines on stdout: one {@code {"id": ..., "correct": 0|1|true|false}} per
 * item, or a single {@code {"score": x}}. Anything else on stdout, a missing or unknown or repeated id, a non-zero
 * exit code and the time-out are errors ({@link EvalException}, with the last lines of stderr), which the engine
 * counts as a failed attempt.
 */
public final class ExternalEvaluator {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int STDERR_LINES = 20;

    private final String command;
    private final URI url;
    private final Duration timeout;

    /** The outcome: per-item 0/1 results, or (for a score-only command) null items and the score. */
    public record Result(Map<String, Integer> items, Double score) {
        /** The share of items answered correctly, or the score. */
        public double value() {
            if (score != null) {
                return score;
            }
            return items.values().stream().mapToInt(Integer::intValue).average().orElse(0);
        }
    }

    public ExternalEvaluator(String command, Duration timeout) {
        if (command == null || command.isBlank()) {
            throw new EvalException("an external evaluator needs a command");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new EvalException("external evaluator time-out must be positive, got " + timeout);
        }
        this.command = command;
        this.url = null;
        this.timeout = timeout;
    }

    private ExternalEvaluator(URI url, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new EvalException("external evaluator time-out must be positive, got " + timeout);
        }
        this.command = url.toString();
        this.url = url;
        this.timeout = timeout;
    }

    /**
     * An evaluation service instead of a command: each evaluation POSTs {@code {"model": FOLDER, "items": [ids]}}
     * (JSON) to {@code url} and reads the answer's body as the command's stdout; any status but 200 is an error. The
     * service must see the folder (the same machine, or a shared scratch folder).
     */
    public static ExternalEvaluator http(String url, Duration timeout) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new EvalException("external evaluator URL '" + url + "' is not a URI: " + e.getMessage(), e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new EvalException("external evaluator URL '" + url + "' must be http or https");
        }
        return new ExternalEvaluator(uri, timeout);
    }

    /** Runs the command (or asks the service) on a model folder for these items (empty: a score-only evaluation). */
    public Result evaluate(Path modelDir, List<String> itemIds) {
        if (url != null) {
            return post(modelDir, itemIds);
        }
        Path work;
        try {
            work = Files.createTempDirectory("chimera-eval-");
        } catch (IOException e) {
            throw new EvalException("cannot create a folder for the external evaluator: " + e.getMessage(), e);
        }
        try {
            Path items = work.resolve("items.txt");
            Path out = work.resolve("stdout.jsonl");
            Path err = work.resolve("stderr.txt");
            Files.writeString(items, itemIds.isEmpty() ? "" : String.join("\n", itemIds) + "\n");
            ProcessBuilder pb = new ProcessBuilder(
                            "/bin/sh", "-c", command, "chimera", modelDir.toString(), items.toString())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().put("CHIMERA_MODEL", modelDir.toString());
            pb.environment().put("CHIMERA_ITEMS", items.toString());
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new EvalException("external evaluator '" + command + "' timed out after " + timeout + " on "
                        + modelDir + stderrTail(err));
            }
            if (p.exitValue() != 0) {
                throw new EvalException("external evaluator '" + command + "' exited with code " + p.exitValue()
                        + " on " + modelDir + stderrTail(err));
            }
            return parse(Files.readAllLines(out, StandardCharsets.UTF_8), itemIds);
        } catch (IOException e) {
            throw new EvalException("external evaluator '" + command + "' could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EvalException("external evaluator '" + command + "' was interrupted", e);
        } finally {
            try {
                FileTrees.deleteRecursively(work);
            } catch (IOException ignored) {
                // a temporary folder left behind is not worth failing the evaluation
            }
        }
    }

    private Result post(Path modelDir, List<String> itemIds) {
        String body;
        try {
            var request = JSON.createObjectNode();
            request.put("model", modelDir.toString());
            var ids = request.putArray("items");
            itemIds.forEach(ids::add);
            body = JSON.writeValueAsString(request);
        } catch (IOException e) {
            throw new EvalException("cannot write the request to " + url + ": " + e.getMessage(), e);
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new EvalException("external evaluator " + url + " timed out after " + timeout + " on " + modelDir, e);
        } catch (IOException e) {
            throw new EvalException("external evaluator " + url + " could not be reached: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EvalException("external evaluator " + url + " was interrupted", e);
        }
        if (response.statusCode() != 200) {
            String text = response.body() == null ? "" : response.body().strip();
            throw new EvalException("external evaluator " + url + " answered HTTP " + response.statusCode() + " on "
                    + modelDir + (text.isEmpty() ? "" : ": " + abbreviate(text)));
        }
        return parse(response.body().lines().toList(), itemIds);
    }

    /** Reads the command's stdout: per-item lines for these ids, or one score line. */
    Result parse(List<String> lines, List<String> itemIds) {
        Set<String> asked = new HashSet<>(itemIds);
        Map<String, Integer> answers = new LinkedHashMap<>();
        Double score = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String at = "external evaluator '" + command + "' stdout line " + (i + 1) + ": ";
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                throw new EvalException(at + "not JSON: " + abbreviate(line));
            }
            if (n == null || !n.isObject()) {
                throw new EvalException(at + "not a JSON object: " + abbreviate(line));
            }
            if (n.has("score")) {
                if (!n.get("score").isNumber()
                        || !Double.isFinite(n.get("score").asDouble())) {
                    throw new EvalException(at + "score must be a finite number, got " + n.get("score"));
                }
                if (score != null || !answers.isEmpty()) {
                    throw new EvalException(at + "a score line must be the only output line");
                }
                score = n.get("score").asDouble();
                continue;
            }
            JsonNode id = n.get("id");
            JsonNode correct = n.get("correct");
            if (id == null || correct == null || !(id.isTextual() || id.isIntegralNumber())) {
                throw new EvalException(
                        at + "expected {\"id\": ..., \"correct\": 0|1} or {\"score\": x}, got " + abbreviate(line));
            }
            int y;
            if (correct.isBoolean()) {
                y = correct.booleanValue() ? 1 : 0;
            } else if (correct.isIntegralNumber() && (correct.asInt() == 0 || correct.asInt() == 1)) {
                y = correct.asInt();
            } else {
                throw new EvalException(at + "correct must be 0, 1, true or false, got " + correct);
            }
            if (score != null) {
                throw new EvalException(at + "a score line must be the only output line");
            }
            String key = id.asText();
            if (!asked.contains(key)) {
                throw new EvalException(at + "item '" + key + "' was not asked for");
            }
            if (answers.put(key, y) != null) {
                throw new EvalException(at + "item '" + key + "' answered twice");
            }
        }
        if (score != null) {
            return new Result(null, score);
        }
        if (itemIds.isEmpty()) {
            throw new EvalException("external evaluator '" + command + "' printed no {\"score\": x} line");
        }
        if (answers.size() < asked.size()) {
            List<String> missing = itemIds.stream()
                    .filter(x -> !answers.containsKey(x))
                    .limit(5)
                    .toList();
            throw new EvalException("external evaluator '" + command + "' answered " + answers.size() + " of "
                    + asked.size() + " items (missing, e.g.: " + String.join(", ", missing) + ")");
        }
        Map<String, Integer> ordered = new LinkedHashMap<>();
        itemIds.forEach(x -> ordered.put(x, answers.get(x)));
        return new Result(ordered, null);
    }

    private static String stderrTail(Path err) throws IOException {
        List<String> lines = Files.readAllLines(err, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return " (nothing on stderr)";
        }
        return "; stderr ends with:\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - STDERR_LINES), lines.size()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
