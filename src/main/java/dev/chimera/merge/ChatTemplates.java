package dev.chimera.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chimera.merge.method.MergeException;
import dev.chimera.tensor.AtomicFiles;
import dev.chimera.tensor.TokenizerFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A merge config's {@code chat_template}, as mergekit's {@code _set_chat_template} resolves it: {@code auto} (the
 * template most of the referenced models carry; none: the donor's stays), a bundled name ({@code alpaca},
 * {@code chatml}, {@code exaone}, {@code llama3}, {@code mistral}: Chimera's own Jinja, rendering byte for byte as
 * mergekit's files do under transformers' settings), or a Jinja template given inline (at least
 * 20 characters with a "{"). The output folder gets it as {@code chat_template.jinja}, and tokenizer_config.json loses
 * its own {@code chat_template}, as transformers' {@code save_pretrained} writes a tokenizer.
 */
final class ChatTemplates {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The template names mergekit a6e4028 bundles, each with a template of Chimera's own. */
    static final List<String> BUNDLED = List.of("alpaca", "chatml", "exaone", "llama3", "mistral");

    private ChatTemplates() {}

    /** The template {@code setting} stands for, or null when nothing is to be set. */
    static String resolve(String setting, List<Path> referencedModels) {
        if (setting == null || setting.isEmpty()) {
            return null;
        }
        if (setting.equals("auto")) {
            // the plurality among the referenced models; ties go to the first seen (mergekit: a set's order)
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (Path m : referencedModels) {
                String t = ofModel(m);
                if (t != null) {
                    counts.merge(t, 1, Integer::sum);
                }
            }
            return counts.entrySet().stream()
                    .reduce((a, b) -> b.getValue() > a.getValue() ? b : a)
                    .map(Map.Entry::getKey)
                    .orElse(null);
        }
        String bundled = bundled(setting);
        if (bundled != null) {
            return bundled;
        }
        if (setting.length() < 20 || !setting.contains("{")) {
            throw new MergeException("chat_template: '" + setting + "' is neither auto, a bundled name ("
                    + String.join(", ", BUNDLED) + ")"
                    + " nor a Jinja template");
        }
        return setting;
    }

    /** A model folder's chat template ({@link TokenizerFiles#chatTemplate}), stripped, or null (none or blank). */
    static String ofModel(Path dir) {
        String t = TokenizerFiles.chatTemplate(dir);
        return t == null || t.isBlank() ? null : t.strip();
    }

    /** Writes {@code template} as the output's chat template. */
    static void write(Path outDir, String template) {
        AtomicFiles.writeString(outDir.resolve("chat_template.jinja"), template);
        Path cfg = outDir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(cfg)) {
            try {
                JsonNode root = JSON.readTree(cfg.toFile());
                if (root instanceof ObjectNode o && o.has("chat_template")) {
                    o.remove("chat_template");
                    AtomicFiles.write(cfg, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
                }
            } catch (IOException e) {
                throw new MergeException("cannot update " + cfg + ": " + e.getMessage(), e);
            }
        }
    }

    private static String bundled(String name) {
        if (!BUNDLED.contains(name)) {
            return null;
        }
        try (InputStream in = ChatTemplates.class.getResourceAsStream("/chat_templates/" + name + ".jinja")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MergeException("cannot read the bundled chat template " + name + ": " + e.getMessage(), e);
        }
    }
}
