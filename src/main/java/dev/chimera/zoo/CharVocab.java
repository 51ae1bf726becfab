package dev.chimera.zoo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The zoo's character-level vocabulary: three special tokens ({@code <pad>} 0, {@code </s>} 1, {@code <unk>} 2), then
 * one token per character: space, {@code ? . |}, the digits, a-z (language A) and A-Z (language B).
 *
 * <p>{@link #writeTokenizer} writes it as a Hugging Face fast-tokenizer file (a BPE model without merges and without
 * a pre-tokenizer, so every character is one token; a Fuse decoder, so decoding concatenates) plus
 * {@code tokenizer_config.json} (EOS {@code </s>}, no BOS).
 */
public final class CharVocab {
    public static final int PAD = 0;
    public static final int EOS = 1;
    public static final int UNK = 2;
    public static final List<String> SPECIAL = List.of("<pad>", "</s>", "<unk>");
    /** The characters, in id order after the special tokens. */
    public static final String CHARS = " ?.|0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private static final int[] IDS = new int[128];

    static {
        Arrays.fill(IDS, -1);
        for (int i = 0; i < CHARS.length(); i++) {
            IDS[CHARS.charAt(i)] = SPECIAL.size() + i;
        }
    }

    private CharVocab() {}

    public static int size() {
        return SPECIAL.size() + CHARS.length();
    }

    /** All tokens by id. */
    public static List<String> tokens() {
        List<String> t = new ArrayList<>(SPECIAL);
        for (char c : CHARS.toCharArray()) {
            t.add(String.valueOf(c));
        }
        return Collections.unmodifiableList(t);
    }

    /** Token ids of {@code text}, one per character; no special tokens added. */
    public static int[] encode(String text) {
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) {
            char c = text.charAt(i);
            int id = c < 128 ? IDS[c] : -1;
            if (id < 0) {
                throw new ZooException("character '" + c + "' (U+" + String.format("%04X", (int) c) + ") at index " + i
                        + " of \"" + text + "\" is not in the zoo vocabulary");
            }
            ids[i] = id;
        }
        return ids;
    }

    /** Text of ids; special tokens are dropped. */
    public static String decode(int[] ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= size()) {
                throw new ZooException("token id " + id + " is outside the zoo vocabulary (size " + size() + ")");
            }
            if (id >= SPECIAL.size()) {
                b.append(CHARS.charAt(id - SPECIAL.size()));
            }
        }
        return b.toString();
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public static void writeTokenizer(Path dir) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIAL.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", i);
            t.put("content", SPECIAL.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", "<unk>");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        List<String> tokens = tokens();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        model.putArray("merges");
        ObjectNode config = json.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", (String) null);
        config.put("eos_token", SPECIAL.get(EOS));
        config.put("pad_token", SPECIAL.get(PAD));
        config.put("unk_token", SPECIAL.get(UNK));
        config.put("add_bos_token", false);
        config.put("add_eos_token", false);
        config.put("model_max_length", 128);
        try {
            Files.writeString(
                    dir.resolve("tokenizer.json"),
                    json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            Files.writeString(
                    dir.resolve("tokenizer_config.json"),
                    json.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tokenizer into " + dir + ": " + e.getMessage(), e);
        }
    }
}
