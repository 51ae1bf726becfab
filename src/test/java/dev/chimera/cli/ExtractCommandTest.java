package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.model.CheckpointLayout;
import dev.chimera.model.ModelConfig;
import dev.chimera.model.TinyModels;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import dev.chimera.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `chimera extract` end to end on three tiny random Llamas with a word-level tokenizer. */
class ExtractCommandTest {
    static final List<String> WORDS = List.of(
            "[UNK]",
            "<s>",
            "</s>",
            "Question:",
            "Answer:",
            "which",
            "colour",
            "is",
            "the",
            "sky",
            "grass",
            "sun",
            "sea",
            "snow",
            "night",
            "?",
            "red",
            "blue",
            "green",
            "white",
            "black",
            "yellow");
    static final String CONFIG = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32, "intermediate_size": 48,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 50,
             "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "hidden_act": "silu", "bos_token_id": 1,
             "eos_token_id": 2, "torch_dtype": "float32", "tie_word_embeddings": false}
            """;

    /** A tiny random Llama folder (config, float32 weights from {@code seed}, word-level tokenizer). */
    static Path tinyLlama(Path dir, long seed) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), CONFIG);
        Map<String, long[]> shapes = CheckpointLayout.expectedShapes(ModelConfig.parse(CONFIG));
        Random r = new Random(seed);
        List<TensorSpec> specs = new ArrayList<>();
        shapes.forEach((name, shape) -> specs.add(new TensorSpec(name, DType.F32, shape)));
        try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(dir, specs, Long.MAX_VALUE)) {
            for (TensorSpec s : specs) {
                int n = (int) s.numel();
                ByteBuffer buf = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    buf.putFloat((float)
                            (s.name().endsWith("norm.weight")
                                    ? 1 + 0.2 * r.nextGaussian()
                                    : s.name().contains("embed_tokens") ? r.nextGaussian() : 0.3 * r.nextGaussian()));
                }
                w.write(s.name(), buf.flip());
            }
            w.finish();
        }
        TinyModels.writeWordTokenizer(dir, WORDS);
        return dir;
    }

    static Path task(Path dir) throws Exception {
        String[] things = {"sky", "grass", "sun", "sea", "snow", "night"};
        String[] colours = {"red", "blue", "green", "white", "black", "yellow"};
        StringBuilder sb = new StringBuilder();
        int id = 0;
        for (int t = 0; t < things.length; t++) {
            for (int k = 0; k < 1; k++) {
                String[] choices = {colours[(t + k) % 6], colours[(t + k + 2) % 6], colours[(t + k + 4) % 6]};
                sb.append("{\"id\": \"q")
                        .append(id++)
                        .append("\", \"question\": \"which colour is the ")
                        .append(things[t])
                        .append(" ?\", \"choices\": [\"")
                        .append(String.join("\", \"", choices))
                        .append("\"], \"answer\": ")
                        .append((t + k) % 3)
                        .append("}\n");
            }
        }
        Files.writeString(dir.resolve("items.jsonl"), sb);
        Path task = dir.resolve("task.yml");
        Files.writeString(task, "name: colours\ntype: multiple_choice\ndata: items.jsonl\n");
        return task;
    }

    @Test
    void extractsEvaluatesOnceAndResumes(@TempDir Path dir) throws Exception {
        List<Path> models = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            models.add(tinyLlama(dir.resolve("parent" + i), 100 + i));
        }
        Path task = task(dir);
        Path cache = dir.resolve("cache");
        Path out = dir.resolve("run/extract.json");
        List<String> args = new ArrayList<>(List.of(
                "extract",
                "--task",
                task.toString(),
                "--n",
                "3",
                "--selector",
                "anchor",
                "--estimator",
                "gpirt",
                "--cache",
                cache.toString(),
                "--out",
                out.toString(),
                "--seed",
                "3"));
        for (Path m : models) {
            args.add("--model");
            args.add(m.toString());
        }
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("cost: 18 items evaluated, 0 cache hits"), r.out());
        JsonNode res = new ObjectMapper().readTree(out.toFile());
        assertEquals(3, res.get("subset").get("itemIds").size());
        assertEquals(6, res.get("irt").get("b").size());
        // each parent's stored accuracy and cached per-item results are what `chimera eval` gives
        for (int i = 0; i < 3; i++) {
            Path log = dir.resolve("samples" + i + ".jsonl");
            CliRun e = CliRun.of(
                    "eval",
                    "--model",
                    models.get(i).toString(),
                    "--task",
                    task.toString(),
                    "--log-samples",
                    log.toString());
            assertEquals(0, e.code(), e.err());
            double acc = Double.parseDouble(e.out()
                    .lines()
                    .filter(l -> l.startsWith("colours acc "))
                    .findFirst()
                    .orElseThrow()
                    .split(" ")[2]);
            JsonNode m = res.get("models").get(i);
            assertEquals("parent" + i, m.get("name").asText());
            assertEquals(acc, m.get("accuracy").asDouble(), 1e-4);
            JsonNode entry = new ObjectMapper()
                    .readTree(cache.resolve(m.get("fingerprint").asText() + "-"
                                    + res.get("task").get("fingerprint").asText() + ".json")
                            .toFile());
            for (String line : Files.readAllLines(log)) {
                JsonNode s = new ObjectMapper().readTree(line);
                assertEquals(
                        s.get("correct").asBoolean(),
                        entry.get("items").get(s.get("id").asText()).asBoolean());
            }
        }
        // resume: the stored result is reused
        CliRun again = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("reusing"), again.err());
        // a new result from the cache: no evaluation
        Files.delete(out);
        CliRun cached = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, cached.code(), cached.err());
        assertTrue(cached.out().contains("cost: 0 items evaluated, 3 cache hits"), cached.out());
        assertEquals(
                res.get("subset"), new ObjectMapper().readTree(out.toFile()).get("subset"));
    }

    @Test
    void badInputExitsWithOneAndWritesNothing(@TempDir Path dir) throws Exception {
        Path task = task(dir);
        Path out = dir.resolve("extract.json");
        CliRun r = CliRun.of(
                "extract",
                "--model",
                dir.resolve("missing").toString(),
                "--model",
                dir.resolve("missing2").toString(),
                "--task",
                task.toString(),
                "--n",
                "3",
                "--cache",
                dir.resolve("cache").toString(),
                "--out",
                out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing") && r.err().contains("does not exist"), r.err());
        CliRun s = CliRun.of(
                "extract",
                "--model",
                dir.toString(),
                "--task",
                task.toString(),
                "--n",
                "3",
                "--selector",
                "bogus",
                "--cache",
                dir.resolve("cache").toString(),
                "--out",
                out.toString());
        assertEquals(1, s.code());
        assertTrue(s.err().contains("bogus"), s.err());
        assertFalse(Files.exists(out));
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("extract")));
        }
    }
}
