package dev.chimera.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chimera eval} against lm-evaluation-harness itself: the same tiny random Llama folder (with a word-level
 * tokenizer) and the same multiple-choice JSONL, run once by {@code chimera eval --log-samples} and once by lm-eval's
 * HF backend (float32, CPU, batch 1, offline, the task given as a YAML in an include path, samples logged); per-item
 * log-likelihoods must agree to 1e-4 and acc / acc_norm per item and overall exactly. Runs only when the environment
 * variable CHIMERA_LMEVAL_PYTHON names a Python that can import lm_eval and transformers.
 */
class LmEvalHarnessTest {
    static final String ENV = "CHIMERA_LMEVAL_PYTHON";
    static final List<String> WORDS = List.of(
            "[UNK]",
            "<s>",
            "</s>",
            "Question",
            "Answer",
            ":",
            "which",
            "colour",
            "is",
            "the",
            "sky",
            "grass",
            "snow",
            "sun",
            "at",
            "night",
            "?",
            "red",
            "blue",
            "green",
            "white",
            "yellow",
            "black",
            "dark",
            "light",
            "pale",
            "very");

    /**
     * The multiple-choice task as lm-eval reads it (in a fresh include folder): the same prompt as Chimera's default
     * ("Question: {question}\nAnswer:"), each choice after target_delimiter " ".
     */
    static Path colourTask(Path dir, Path data) throws Exception {
        Path include = Files.createDirectories(dir.resolve("lmeval_tasks"));
        Files.writeString(include.resolve("colours.yaml"), """
                task: colours_lmeval
                dataset_path: json
                dataset_kwargs:
                  data_files:
                    test: %s
                test_split: test
                output_type: multiple_choice
                doc_to_text: "Question: {{question}}\\nAnswer:"
                doc_to_choice: choices
                doc_to_target: answer
                target_delimiter: " "
                metric_list:
                  - metric: acc
                    aggregation: mean
                    higher_is_better: true
                  - metric: acc_norm
                    aggregation: mean
                    higher_is_better: true
                """.formatted(data.toAbsolutePath()));
        return include;
    }

    /** Offline settings for lm-eval, transformers and datasets, with a cache inside {@code dir}: an env prefix. */
    static List<String> offline(Path dir) {
        return List.of(
                "env",
                "HF_HUB_OFFLINE=1",
                "HF_DATASETS_OFFLINE=1",
                "TRANSFORMERS_OFFLINE=1",
                "HF_DATASETS_CACHE=" + dir.resolve("hf_cache"),
                "TOKENIZERS_PARALLELISM=false");
    }

    /** lm-eval itself on the colour task (resources/eval/lmeval_mc.py): per-document log-likelihoods and acc. */
    static JsonNode reference(String python, Path dir, Path model, Path include) throws Exception {
        Path script = Path.of(
                LmEvalHarnessTest.class.getResource("/eval/lmeval_mc.py").toURI());
        List<String> cmd = new ArrayList<>(offline(dir));
        cmd.addAll(PythonRef.command(python, script, model.toString(), include.toString(), "colours_lmeval"));
        return PythonRef.run(cmd, Map.of());
    }

    @Test
    void perItemLogLikelihoodsAndAccuraciesMatchLmEval(@TempDir Path dir) throws Exception {
        String python = System.getenv(ENV);
        Assumptions.assumeTrue(python != null && !python.isBlank(), ENV + " not set");
        Assumptions.assumeTrue(
                PythonRef.works(python, "import lm_eval, transformers, datasets"),
                python + " cannot import lm_eval, transformers and datasets");

        Path model = TinyModels.write(dir.resolve("model"), TinyModels.specs().get(0), 2024);
        EvalCommandTest.writeWordTokenizer(model, WORDS);
        // choices of different lengths (in characters and tokens) so that acc and acc_norm can disagree
        String items = """
                {"id": "0", "question": "which colour is the sky ?", "choices": ["red", "blue", "very dark green"], "answer": 1}
                {"id": "1", "question": "which colour is the grass ?", "choices": ["green", "pale yellow", "red"], "answer": 0}
                {"id": "2", "question": "which colour is snow ?", "choices": ["white", "black"], "answer": 0}
                {"id": "3", "question": "which colour is the sun ?", "choices": ["yellow", "light blue", "very very dark red", "white"], "answer": 0}
                {"id": "4", "question": "which colour is the sky at night ?", "choices": ["black", "dark blue", "blue"], "answer": 1}
                {"id": "5", "question": "which colour is grass at night ?", "choices": ["dark green", "green", "pale green", "black"], "answer": 0}
                {"id": "6", "question": "the sun ?", "choices": ["red", "yellow", "white"], "answer": 2}
                {"id": "7", "question": "which ?", "choices": ["very pale blue", "blue", "sky"], "answer": 2}
                """;
        Path data = dir.resolve("items.jsonl");
        Files.writeString(data, items);

        // Chimera: default prompt "Question: {question}\nAnswer:" and continuation " {choice}"
        Files.writeString(dir.resolve("task.yml"), "name: colours\ntype: multiple_choice\ndata: items.jsonl\n");
        Path log = dir.resolve("samples.jsonl");
        String[] r = EvalCommandTest.run(
                "eval",
                "--model",
                model.toString(),
                "--task",
                dir.resolve("task.yml").toString(),
                "--log-samples",
                log.toString());
        assertEquals("0", r[0], r[2]);

        Path include = colourTask(dir, data);
        JsonNode ref = reference(python, dir, model, include);

        List<String> lines = Files.readAllLines(log);
        JsonNode docs = ref.get("docs");
        assertEquals(8, lines.size());
        assertEquals(8, docs.size());
        double maxDiff = 0;
        int acc = 0;
        int accNorm = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode mine = PythonRef.MAPPER.readTree(lines.get(i));
            JsonNode theirs = docs.get(i);
            assertEquals(
                    String.valueOf(theirs.get("doc_id").asInt()), mine.get("id").asText());
            assertEquals(theirs.get("loglik").size(), mine.get("loglik").size(), "choices of item " + i);
            for (int c = 0; c < mine.get("loglik").size(); c++) {
                double d = Math.abs(mine.get("loglik").get(c).asDouble()
                        - theirs.get("loglik").get(c).asDouble());
                maxDiff = Math.max(maxDiff, d);
                assertTrue(
                        d < 1e-4,
                        "item " + i + " choice " + c + ": chimera "
                                + mine.get("loglik").get(c) + " vs lm-eval "
                                + theirs.get("loglik").get(c));
            }
            int gold = mine.get("gold").asInt();
            assertEquals(
                    theirs.get("acc").asDouble(), mine.get("pred").asInt() == gold ? 1.0 : 0.0, "acc of item " + i);
            assertEquals(
                    theirs.get("acc_norm").asDouble(),
                    mine.get("pred_norm").asInt() == gold ? 1.0 : 0.0,
                    "acc_norm of item " + i);
            acc += mine.get("pred").asInt() == gold ? 1 : 0;
            accNorm += mine.get("pred_norm").asInt() == gold ? 1 : 0;
        }
        assertEquals(ref.get("acc").asDouble(), acc / 8.0, 1e-12);
        assertEquals(ref.get("acc_norm").asDouble(), accNorm / 8.0, 1e-12);
        assertTrue(r[1].contains(String.format("colours acc %.4f", acc / 8.0)), r[1]);
        assertTrue(r[1].contains(String.format("colours acc_norm %.4f", accNorm / 8.0)), r[1]);
        System.out.printf(
                "lm-eval %s vs chimera eval: 8 items, max |loglik diff| %.3g, acc %.3f, acc_norm %.3f%n",
                ref.get("version").asText(), maxDiff, acc / 8.0, accNorm / 8.0);
    }
}
