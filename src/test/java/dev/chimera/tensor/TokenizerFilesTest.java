package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFilesTest {
    @TempDir
    Path from;

    @TempDir
    Path to;

    @Test
    void copiesThePresentTokenizerFilesOnly() throws Exception {
        for (String f : List.of(
                "tokenizer.json",
                "tokenizer_config.json",
                "generation_config.json",
                "vocab.json",
                "config.json",
                "model.safetensors",
                "chat_template.jinja")) {
            Files.writeString(from.resolve(f), f);
        }
        Files.writeString(to.resolve("tokenizer.json"), "stale");
        assertEquals(
                List.of(
                        "tokenizer_config.json",
                        "tokenizer.json",
                        "vocab.json",
                        "chat_template.jinja",
                        "generation_config.json"),
                TokenizerFiles.copy(from, to));
        assertEquals("tokenizer.json", Files.readString(to.resolve("tokenizer.json")));
        assertFalse(Files.exists(to.resolve("config.json")));
        assertFalse(Files.exists(to.resolve("model.safetensors")));
    }

    @Test
    void completenessFollowsMergekit() throws Exception {
        assertFalse(TokenizerFiles.isComplete(from));
        Files.writeString(from.resolve("tokenizer.model"), "x");
        assertFalse(TokenizerFiles.isComplete(from));
        Files.writeString(from.resolve("tokenizer_config.json"), "{}");
        assertTrue(TokenizerFiles.isComplete(from));
    }
}
