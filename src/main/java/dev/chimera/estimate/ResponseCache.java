package dev.chimera.estimate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chimera.tensor.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Per-item results of one model on one task, on disk, keyed by the pair of {@link Fingerprint}s: one JSON file
 * {@code <model fp>-<task fp>.json} per pair in the cache folder.
 *
 * <p>Writes are atomic: the JSON goes to a temp file in the same folder, is forced to disk and renamed over the
 * target, so a reader sees the old file, the new file or none, never a partial one. A cache entry that cannot be
 * used (unparseable JSON, wrong format, fingerprints or item ids that do not match) is reported through the
 * warning sink, naming the file and the problem, and treated as a miss: the results are recomputed and the entry
 * replaced. (The cache holds only derived data, so recomputing is always safe; refusing would make a run fail on a
 * file it can rebuild.)
 */
public final class ResponseCache {
    public static final String FORMAT = "chimera-responses/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Consumer<String> warnings;

    /** @param warnings receives one message per unusable cache entry */
    public ResponseCache(Path dir, Consumer<String> warnings) {
        this.dir = dir;
        this.warnings = warnings;
    }

    public Path dir() {
        return dir;
    }

    /** The file of a (model, task) pair. */
    public Path file(String modelFingerprint, String taskFingerprint) {
        return dir.resolve(modelFingerprint + "-" + taskFingerprint + ".json");
    }

    /**
     * The cached results of the pair, in the order of {@code itemIds}, or empty on a miss (also when the entry is
     * unusable: then a warning is given).
     */
    public Optional<LinkedHashMap<String, Boolean>> get(
            String modelFingerprint, String taskFingerprint, List<String> itemIds) {
        Path f = file(modelFingerprint, taskFingerprint);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(f, modelFingerprint, taskFingerprint, itemIds));
        } catch (IOException | RuntimeException e) {
            warnings.accept("response cache entry " + f + " is unusable (" + e.getMessage() + "); recomputing it");
            return Optional.empty();
        }
    }

    private static LinkedHashMap<String, Boolean> parse(Path f, String modelFp, String taskFp, List<String> itemIds)
            throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(f.toFile());
        } catch (JsonProcessingException e) {
            throw new EstimateException("not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new EstimateException("not a JSON object");
        }
        if (!FORMAT.equals(root.path("format").asText(null))) {
            throw new EstimateException("format is " + root.path("format") + ", expected \"" + FORMAT + "\"");
        }
        if (!modelFp.equals(root.path("model").asText(null))) {
            throw new EstimateException("model fingerprint " + root.path("model") + " does not match " + modelFp);
        }
        if (!taskFp.equals(root.path("task").asText(null))) {
            throw new EstimateException("task fingerprint " + root.path("task") + " does not match " + taskFp);
        }
        JsonNode items = root.get("items");
        if (items == null || !items.isObject()) {
            throw new EstimateException("no 'items' object");
        }
        Map<String, Boolean> read = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = items.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isBoolean()) {
                throw new EstimateException("item '" + e.getKey() + "': value " + e.getValue() + " is not true/false");
            }
            read.put(e.getKey(), e.getValue().booleanValue());
        }
        return ordered(read, itemIds, "cached results");
    }

    /**
     * {@code results} reordered as {@code itemIds}; an error naming missing and unknown ids unless they are
     * exactly the same set.
     */
    static LinkedHashMap<String, Boolean> ordered(Map<String, Boolean> results, List<String> itemIds, String what) {
        Set<String> missing = new LinkedHashSet<>();
        LinkedHashMap<String, Boolean> out = new LinkedHashMap<>();
        for (String id : itemIds) {
            Boolean v = results.get(id);
            if (v == null) {
                missing.add(id);
            } else {
                out.put(id, v);
            }
        }
        List<String> unknown = new ArrayList<>();
        for (String id : results.keySet()) {
            if (!out.containsKey(id)) {
                unknown.add(id);
            }
        }
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            throw new EstimateException(what + " do not match the task's " + itemIds.size() + " items: "
                    + (missing.isEmpty() ? "" : "missing " + abbreviate(missing) + " ")
                    + (unknown.isEmpty() ? "" : "unknown " + abbreviate(unknown)));
        }
        return out;
    }

    private static String abbreviate(Collection<String> ids) {
        List<String> l = new ArrayList<>(ids);
        return l.size() <= 5 ? l.toString() : l.subList(0, 5) + " and " + (l.size() - 5) + " more";
    }

    /**
     * Stores the results of the pair atomically.
     *
     * @param modelPath where the model was (informational)
     * @param taskName the task's name (informational)
     * @param seconds how long the evaluation took (informational)
     */
    public void put(
            String modelFingerprint,
            String taskFingerprint,
            String modelPath,
            String taskName,
            double seconds,
            Map<String, Boolean> results) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("model", modelFingerprint);
        root.put("task", taskFingerprint);
        root.put("modelPath", modelPath);
        root.put("taskName", taskName);
        root.put("seconds", seconds);
        ObjectNode items = root.putObject("items");
        results.forEach(items::put);
        try {
            Files.createDirectories(dir);
            writeAtomically(
                    file(modelFingerprint, taskFingerprint),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write response cache entry in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code bytes} to a temp file beside {@code target}, forces it to disk and renames it over
     * {@code target} (atomically where the file system allows); the temp file is removed on failure.
     */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        try {
            AtomicFiles.write(target, bytes);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
