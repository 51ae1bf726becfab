package dev.chimera.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chimera.merge.method.MergeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's vocabulary (token -> id) read from its {@code tokenizer.json}: the model vocabulary (BPE, WordPiece,
 * WordLevel maps; Unigram lists) plus added tokens. Used to line up embedding rows when models' vocabularies
 * differ ({@code tokenizer_source}), as mergekit's tokenizer permutations do.
 */
public final class TokenizerVocab {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Integer> ids;
    private final ObjectNode json;
    private final Path file;

    private TokenizerVocab(Map<String, Integer> ids, ObjectNode json, Path file) {
        this.ids = ids;
        this.json = json;
        this.file = file;
    }

    public static TokenizerVocab read(Path modelDir) {
        Path f = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(f)) {
            throw new MergeException(
                    "tokenizer_source needs " + f + " (only Hugging Face fast tokenizers are supported)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new MergeException(f + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw new MergeException(f + ": no 'model' object");
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().canConvertToInt()) {
                    throw new MergeException(f + ": vocab entry '" + e.getKey() + "' has no integer id");
                }
                ids.put(e.getKey(), e.getValue().intValue());
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...], id = position
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).path(0).asText(), i);
            }
        } else {
            throw new MergeException(f + ": model.vocab is missing");
        }
        for (JsonNode t : root.path("added_tokens")) {
            if (t.has("content") && t.path("id").canConvertToInt()) {
                ids.put(t.get("content").asText(), t.get("id").intValue());
            }
        }
        return new TokenizerVocab(ids, (ObjectNode) root, f);
    }

    /** token -> id. */
    public Map<String, Integer> ids() {
        return ids;
    }

    /** Tokens ordered by id (ties keep file order). */
    public List<String> tokensById() {
        List<String> t = new ArrayList<>(ids.keySet());
        t.sort(Comparator.comparingInt(ids::get));
        return t;
    }

    /**
     * mergekit's union vocabulary: the base's tokens keep their ids; tokens of the other models that the base
     * lacks are appended (models in order, each by id), as added tokens of the base's tokenizer. Ids at or beyond
     * a model's embedding rows (padding) are ignored.
     */
    public static Map<String, Integer> union(List<TokenizerVocab> vocabs, List<Long> rows) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int m = 0; m < vocabs.size(); m++) {
            for (String tok : vocabs.get(m).tokensById()) {
                int id = vocabs.get(m).ids().get(tok);
                if (id >= rows.get(m) || out.containsKey(tok)) {
                    continue;
                }
                out.put(tok, m == 0 ? id : -1);
            }
        }
        int next = out.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        for (var e : out.entrySet()) {
            if (e.getValue() < 0) {
                e.setValue(next++);
            }
        }
        return out;
    }

    /** Writes this (the base's) tokenizer.json with the union's extra tokens appended as added tokens. */
    public void writeUnion(Map<String, Integer> union, Path dir) {
        ObjectNode copy = json.deepCopy();
        ArrayNode added = copy.withArray("added_tokens");
        for (var e : union.entrySet()) {
            if (!ids.containsKey(e.getKey())) {
                ObjectNode t = added.addObject();
                t.put("id", e.getValue());
                t.put("content", e.getKey());
                t.put("single_word", false);
                t.put("lstrip", false);
                t.put("rstrip", false);
                t.put("normalized", true);
                t.put("special", false);
            }
        }
        Path out = dir.resolve("tokenizer.json");
        Path tmp = dir.resolve("tokenizer.json.tmp");
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), copy);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new MergeException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
