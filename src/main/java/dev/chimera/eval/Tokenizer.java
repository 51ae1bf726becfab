package dev.chimera.eval;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.tensor.TokenizerFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model folder's tokenizer: DJL's {@link HuggingFaceTokenizer} over {@code tokenizer.json} (read from a stream, so
 * nothing is downloaded and DJL does not interpret any other file), plus the special tokens and {@code add_bos_token}
 * of {@code tokenizer_config.json} and its Jinja {@code chat_template}.
 *
 * <p>{@link #encode(String)} adds no special tokens. {@link #encodeWithSpecial(String)} is Hugging Face's
 * {@code encode(text, add_special_tokens=True)}: whatever the tokenizer.json post-processor adds (e.g. {@code <s>}
 * for Llama-style tokenizers); Qwen-style tokenizers add nothing. Thread-safe for concurrent encode/decode (the native
 * tokenizer is immutable after loading).
 */
public final class Tokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** transformers' named special tokens, the ones a chat template sees when set. */
    private static final List<String> SPECIAL_TOKEN_NAMES =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    private final Path folder;
    private final HuggingFaceTokenizer hf;
    private final Map<String, Integer> addedTokens;
    private final String bosToken;
    private final String eosToken;
    private final String padToken;
    private final Boolean addBosToken;
    private final String chatTemplate;
    private final Map<String, String> specialTokens;

    private Tokenizer(Path folder, HuggingFaceTokenizer hf, Map<String, Integer> addedTokens, JsonNode config) {
        this.folder = folder;
        this.hf = hf;
        this.addedTokens = Collections.unmodifiableMap(addedTokens);
        this.bosToken = tokenText(config.get("bos_token"));
        this.eosToken = tokenText(config.get("eos_token"));
        this.padToken = tokenText(config.get("pad_token"));
        Map<String, String> special = new java.util.LinkedHashMap<>();
        for (String name : SPECIAL_TOKEN_NAMES) {
            String text = tokenText(config.get(name));
            if (text != null) {
                special.put(name, text);
            }
        }
        this.specialTokens = Collections.unmodifiableMap(special);
        JsonNode addBos = config.get("add_bos_token");
        this.addBosToken = addBos == null || addBos.isNull() ? null : addBos.asBoolean();
        // chat_template.jinja first, as transformers (merges with chat_template write it there)
        this.chatTemplate = TokenizerFiles.chatTemplate(folder);
    }

    /**
     * Loads {@code folder/tokenizer.json} and, when present, {@code folder/tokenizer_config.json}.
     *
     * @throws EvalException naming the folder when tokenizer.json is missing or unreadable
     */
    public static Tokenizer load(Path folder) {
        Path json = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            throw new EvalException("no tokenizer.json in " + folder.toAbsolutePath()
                    + " (a model folder needs the Hugging Face fast tokenizer file)");
        }
        Map<String, Integer> added = new HashMap<>();
        try (InputStream in = Files.newInputStream(json)) {
            // Only the added_tokens list is needed here; a streaming read keeps the vocabulary out of the heap.
            var parser = JSON.getFactory().createParser(in);
            if (parser.nextToken() == null) {
                throw new EvalException(json + " is empty");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if ("added_tokens".equals(field)) {
                    JsonNode arr = JSON.readTree(parser);
                    for (JsonNode t : arr) {
                        added.put(t.path("content").asText(), t.path("id").asInt());
                    }
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new EvalException("cannot read " + json + ": " + e.getMessage(), e);
        }
        JsonNode config = JSON.createObjectNode();
        Path configFile = folder.resolve("tokenizer_config.json");
        if (Files.isRegularFile(configFile)) {
            try {
                config = JSON.readTree(configFile.toFile());
            } catch (IOException e) {
                throw new EvalException("cannot read " + configFile + ": " + e.getMessage(), e);
            }
        }
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "false");
        options.put("truncation", "false");
        options.put("padding", "false");
        HuggingFaceTokenizer hf;
        try (InputStream in = Files.newInputStream(json)) {
            hf = HuggingFaceTokenizer.newInstance(in, options);
        } catch (IOException | RuntimeException e) {
            throw new EvalException("cannot load tokenizer " + json + ": " + e.getMessage(), e);
        }
        return new Tokenizer(folder, hf, added, config);
    }

    private static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        JsonNode content = node.get("content"); // AddedToken form {"content": ..., "__type": "AddedToken"}
        return content != null && content.isTextual() ? content.asText() : null;
    }

    /** Token ids of {@code text} with no special tokens added. */
    public int[] encode(String text) {
        return toInts(hf.encode(text, false, false).getIds());
    }

    /** Token ids of {@code text} with the tokenizer's special tokens (post-processor) added, as HF's default. */
    public int[] encodeWithSpecial(String text) {
        return toInts(hf.encode(text, true, false).getIds());
    }

    /** Text of {@code ids}, special tokens kept. */
    public String decode(int[] ids) {
        return hf.decode(toLongs(ids), false);
    }

    /** Text of {@code ids}, special tokens dropped. */
    public String decodeSkippingSpecial(int[] ids) {
        return hf.decode(toLongs(ids), true);
    }

    /** The id of one token string (an added/special token, or a single vocabulary entry), if it is one token. */
    public Optional<Integer> tokenId(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Integer id = addedTokens.get(token);
        if (id != null) {
            return Optional.of(id);
        }
        int[] ids = encode(token);
        return ids.length == 1 ? Optional.of(ids[0]) : Optional.empty();
    }

    public Optional<String> bosToken() {
        return Optional.ofNullable(bosToken);
    }

    public Optional<String> eosToken() {
        return Optional.ofNullable(eosToken);
    }

    public Optional<String> padToken() {
        return Optional.ofNullable(padToken);
    }

    public Optional<Integer> bosId() {
        return tokenId(bosToken);
    }

    public Optional<Integer> eosId() {
        return tokenId(eosToken);
    }

    public Optional<Integer> padId() {
        return tokenId(padToken);
    }

    /** {@code add_bos_token} of tokenizer_config.json, false when absent. */
    public boolean addBosToken() {
        return addBosToken != null && addBosToken;
    }

    /** The named special tokens tokenizer_config.json sets (bos_token, eos_token, ...), as transformers' map. */
    public Map<String, String> specialTokens() {
        return specialTokens;
    }

    /** The Jinja chat template of tokenizer_config.json, if any. */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** Added tokens of tokenizer.json (content -> id), special or not. */
    public Map<String, Integer> addedTokens() {
        return addedTokens;
    }

    public Path folder() {
        return folder;
    }

    @Override
    public void close() {
        hf.close();
    }

    static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
