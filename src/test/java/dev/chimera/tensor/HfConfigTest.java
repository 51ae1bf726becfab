package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigTest {
    @TempDir
    Path dir;

    private static final String LLAMA = "{\n"
            + "  \"architectures\": [\n    \"LlamaForCausalLM\"\n  ],\n"
            + "  \"hidden_size\": 2048,\n"
            + "  \"model_type\": \"llama\",\n"
            + "  \"num_hidden_layers\": 16,\n"
            + "  \"rms_norm_eps\": 1e-05,\n"
            + "  \"rope_theta\": 500000.0,\n"
            + "  \"rope_scaling\": {\n    \"factor\": 32.0,\n    \"rope_type\": \"llama3\"\n  },\n"
            + "  \"tie_word_embeddings\": false,\n"
            + "  \"torch_dtype\": \"bfloat16\",\n"
            + "  \"eos_token_id\": [\n    128001,\n    128008\n  ],\n"
            + "  \"pad_token_id\": null,\n"
            + "  \"vocab_size\": 128256\n"
            + "}\n";

    @Test
    void readsTheUsualKeys() throws Exception {
        Files.writeString(dir.resolve("config.json"), LLAMA);
        HfConfig c = HfConfig.read(dir);
        assertEquals(Optional.of("LlamaForCausalLM"), c.architecture());
        assertEquals(List.of("LlamaForCausalLM"), c.architectures());
        assertEquals(Optional.of("llama"), c.modelType());
        assertEquals(16, c.numHiddenLayers());
        assertEquals(128256, c.vocabSize());
        assertEquals(2048, c.hiddenSize());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(Optional.of("bfloat16"), c.torchDtype());
        assertEquals(dir.resolve("config.json"), c.source());
    }

    @Test
    void writesAModifiedCopyPreservingEverythingElse() throws Exception {
        Files.writeString(dir.resolve("config.json"), LLAMA);
        HfConfig original = HfConfig.read(dir);
        HfConfig changed =
                original.withTorchDtype("float16").withVocabSize(128264).withNumHiddenLayers(24);
        assertEquals(16, original.numHiddenLayers()); // immutable
        Path out = Files.createDirectory(dir.resolve("out"));
        changed.write(out);
        String expected = LLAMA.replace("\"bfloat16\"", "\"float16\"")
                .replace("128256", "128264")
                .replace("\"num_hidden_layers\": 16", "\"num_hidden_layers\": 24")
                .replace("1e-05", "0.00001"); // same value; Jackson prints BigDecimal plainly
        assertEquals(expected, Files.readString(out.resolve("config.json")));
        try (var files = Files.list(out)) {
            assertEquals(1, files.count()); // no temp file left
        }
        HfConfig reread = HfConfig.read(out);
        assertEquals(24, reread.numHiddenLayers());
        assertEquals(Optional.of("float16"), reread.torchDtype());
    }

    @Test
    void tieWordEmbeddingsDefaultsToTrueLikeTransformers() {
        assertTrue(HfConfig.parse("{}", dir).tieWordEmbeddings());
        assertTrue(HfConfig.parse("{\"tie_word_embeddings\": true}", dir).tieWordEmbeddings());
    }

    @Test
    void newDtypeKeyWinsAndIsUpdatedToo() {
        HfConfig c = HfConfig.parse("{\"dtype\": \"bfloat16\"}", dir);
        assertEquals(Optional.of("bfloat16"), c.torchDtype());
        HfConfig d = c.withTorchDtype("float32");
        assertEquals(Optional.of("float32"), d.torchDtype());
        assertFalse(d.json().has("torch_dtype"));
        assertEquals(Optional.of("bfloat16"), d.withTorchDtype(DType.BF16).torchDtype());
        assertEquals(
                "float32",
                HfConfig.parse("{}", dir)
                        .withTorchDtype("float32")
                        .json()
                        .get("torch_dtype")
                        .asText());
    }

    @Test
    void textConfigIsConsultedForNestedModels() {
        HfConfig c = HfConfig.parse(
                "{\"architectures\": [\"Gemma3ForConditionalGeneration\"],"
                        + " \"text_config\": {\"num_hidden_layers\": 34, \"vocab_size\": 262208,"
                        + " \"hidden_size\": 2560}}",
                dir);
        assertEquals(34, c.numHiddenLayers());
        HfConfig d = c.withNumHiddenLayers(20);
        assertEquals(20, d.json().get("text_config").get("num_hidden_layers").asInt());
        assertFalse(d.json().has("num_hidden_layers"));
    }

    @Test
    void errorsNameThePathAndKey() throws Exception {
        HfConfigException missing = assertThrows(HfConfigException.class, () -> HfConfig.read(dir));
        assertTrue(missing.getMessage().contains(dir.resolve("config.json").toString()));
        assertTrue(missing.getMessage().contains("not found"));

        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 1,");
        HfConfigException invalid = assertThrows(HfConfigException.class, () -> HfConfig.read(dir));
        assertTrue(invalid.getMessage().contains(dir.resolve("config.json").toString()));

        for (String bad : new String[] {"[1]", "", "{} {}", "{\"a\":1,\"a\":2}"}) {
            Files.writeString(dir.resolve("config.json"), bad);
            assertThrows(HfConfigException.class, () -> HfConfig.read(dir), bad);
        }

        HfConfig c = HfConfig.parse(
                "{\"hidden_size\": 2.5, \"vocab_size\": \"x\"," + " \"tie_word_embeddings\": \"yes\"}",
                dir.resolve("config.json"));
        HfConfigException noKey = assertThrows(HfConfigException.class, c::numHiddenLayers);
        assertTrue(noKey.getMessage().contains("num_hidden_layers"));
        assertTrue(noKey.getMessage().contains(dir.resolve("config.json").toString()));
        assertTrue(assertThrows(HfConfigException.class, c::hiddenSize)
                .getMessage()
                .contains("hidden_size"));
        assertTrue(
                assertThrows(HfConfigException.class, c::vocabSize).getMessage().contains("vocab_size"));
        assertThrows(HfConfigException.class, c::tieWordEmbeddings);
    }

    @Test
    void nanAndHugeNumbersSurvive() {
        HfConfig c = HfConfig.parse(
                "{\"a\": NaN, \"b\": 123456789012345678901234567890," + " \"c\": 0.10000000000000000555}", dir);
        String json = c.toJson();
        assertTrue(json.contains("\"a\": NaN"), json);
        assertTrue(json.contains("123456789012345678901234567890"), json);
        assertTrue(json.contains("0.10000000000000000555"), json);
    }
}
