package dev.chimera.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chimera.eval.ExternalEvaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optional: the shipped lm-evaluation-harness evaluator (examples/lm-eval/chimera_lm_eval.py) as an external
 * objective's command, when CHIMERA_LMEVAL_PYTHON names a Python with lm_eval: the per-item results it reports for
 * asked document ids are lm-eval's own (its logged samples for the whole task, by the reference script).
 */
class LmEvalEvaluatorTest {
    @Test
    void theExampleReportsLmEvalsPerItemResults(@TempDir Path dir) throws Exception {
        String python = System.getenv(LmEvalHarnessTest.ENV);
        Assumptions.assumeTrue(python != null && !python.isBlank(), LmEvalHarnessTest.ENV + " not set");
        Assumptions.assumeTrue(
                PythonRef.works(python, "import lm_eval, transformers, datasets"),
                python + " cannot import lm_eval, transformers and datasets");
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.specs().get(0), 2024);
        EvalCommandTest.writeWordTokenizer(model, LmEvalHarnessTest.WORDS);
        Path data = dir.resolve("items.jsonl");
        Files.writeString(data, """
                {"question": "which colour is the sky ?", "choices": ["red", "blue", "very dark green"], "answer": 1}
                {"question": "which colour is the grass ?", "choices": ["green", "pale yellow", "red"], "answer": 0}
                {"question": "which colour is snow ?", "choices": ["white", "black"], "answer": 0}
                {"question": "which colour is the sun ?", "choices": ["yellow", "light blue", "white"], "answer": 0}
                {"question": "which colour is the sky at night ?", "choices": ["black", "dark blue", "blue"], "answer": 1}
                """);
        Path include = LmEvalHarnessTest.colourTask(dir, data);
        String env = String.join(" ", LmEvalHarnessTest.offline(dir)) + " ";
        String command = env + python + " "
                + Path.of("examples/lm-eval/chimera_lm_eval.py").toAbsolutePath()
                + " \"$1\" \"$2\" --task colours_lmeval --include-path " + include;
        ExternalEvaluator.Result mine =
                new ExternalEvaluator(command, Duration.ofMinutes(5)).evaluate(model, List.of("0", "2", "4"));

        JsonNode docs = LmEvalHarnessTest.reference(python, dir, model, include).get("docs");
        assertEquals(List.of("0", "2", "4"), List.copyOf(mine.items().keySet()));
        for (String id : List.of("0", "2", "4")) {
            int expected = docs.get(Integer.parseInt(id)).get("acc").asDouble() > 0 ? 1 : 0;
            assertEquals(expected, mine.items().get(id), "doc " + id);
        }
        // no ids: the task's score
        double score = new ExternalEvaluator(command, Duration.ofMinutes(5))
                .evaluate(model, List.of())
                .value();
        double mean = 0;
        for (JsonNode d : docs) {
            mean += d.get("acc").asDouble() / docs.size();
        }
        assertTrue(Math.abs(score - mean) < 1e-9, score + " vs " + mean);
    }
}
