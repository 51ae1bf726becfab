package dev.chimera.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a donor model's tokenizer (and generation settings) into a merged model folder.
 *
 * <p>The list mirrors mergekit's {@code _copy_tokenizer} in {@code merge.py}, plus {@code
 * vocab.json}: mergekit copies {@code merges.txt} but not its vocabulary and relies on re-saving
 * the tokenizer through transformers when files are missing, which Chimera cannot do.
 */
public final class TokenizerFiles {
    /** Files copied when present, in mergekit's order (vocab.json added). */
    public static final List<String> FILES = List.of(
            "tokenizer_config.json",
            "special_tokens_map.json",
            "tokenizer.json",
            "tokenizer.model",
            "added_tokens.json",
            "merges.txt",
            "vocab.json",
            "chat_template.jinja",
            "generation_config.json",
            "chat_template.json",
            "video_preprocessor_config.json");

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerFiles() {}

    /**
     * A model folder's chat template as transformers finds it: {@code chat_template.jinja} when present, else
     * tokenizer_config.json's {@code chat_template} (a string, or the {@code default} one of a list of named
     * templates); null when it has none.
     *
     * @throws UncheckedIOException naming the file when one is unreadable
     */
    public static String chatTemplate(Path modelDir) {
        Path jinja = modelDir.resolve("chat_template.jinja");
        Path cfg = modelDir.resolve("tokenizer_config.json");
        try {
            if (Files.isRegularFile(jinja)) {
                return Files.readString(jinja);
            }
            if (!Files.isRegularFile(cfg)) {
                return null;
            }
            JsonNode t = JSON.readTree(cfg.toFile()).get("chat_template");
            if (t != null && t.isArray()) {
                for (JsonNode named : t) {
                    if ("default".equals(named.path("name").asText())) {
                        return named.path("template").asText();
                    }
                }
                return null;
            }
            return t != null && t.isTextual() ? t.asText() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chat template of " + modelDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * mergekit's test for a copyable tokenizer: {@code tokenizer_config.json} plus either {@code
     * tokenizer.json} or {@code tokenizer.model}. When false, mergekit falls back to loading and
     * re-saving the tokenizer with transformers; callers should warn instead.
     */
    public static boolean isComplete(Path modelDir) {
        return Files.isRegularFile(modelDir.resolve("tokenizer_config.json"))
                && (Files.isRegularFile(modelDir.resolve("tokenizer.json"))
                        || Files.isRegularFile(modelDir.resolve("tokenizer.model")));
    }

    /**
     * Copies every file of {@link #FILES} present in {@code fromModelDir} to {@code toDir},
     * replacing existing copies.
     *
     * @return the names copied, in list order
     * @throws UncheckedIOException naming the file if a copy fails
     */
    public static List<String> copy(Path fromModelDir, Path toDir) {
        List<String> copied = new ArrayList<>();
        for (String name : FILES) {
            Path source = fromModelDir.resolve(name);
            if (Files.isRegularFile(source)) {
                try {
                    Files.copy(source, toDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot copy " + source + " to " + toDir + ": " + e.getMessage(), e);
                }
                copied.add(name);
            }
        }
        return copied;
    }
}
