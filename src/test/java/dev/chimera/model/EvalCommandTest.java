package dev.chimera.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `chimera eval` end to end on a tiny random Llama with a word-level tokenizer and a multiple-choice task. */
class EvalCommandTest {
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
            "?",
            "red",
            "blue",
            "green");

    static String[] run(String... args) {
        CliRun r = CliRun.of(args);
        return new String[] {String.valueOf(r.code()), r.out(), r.err()};
    }

    static void writeWordTokenizer(Path model, List<String> words) throws IOException {
        TinyModels.writeWordTokenizer(model, words);
    }

    @Test
    void evaluatesAMultipleChoiceTaskAndLogsSamples(@TempDir Path dir) throws Exception {
        Path model = TinyModels.write(dir.resolve("m"), TinyModels.specs().get(0), 5);
        writeWordTokenizer(model, WORDS);
        Files.writeString(dir.resolve("items.jsonl"), """
                {"id": "q1", "question": "which colour is the sky ?", "choices": ["red", "blue", "green"], "answer": 1}
                {"id": "q2", "question": "which colour is the grass ?", "choices": ["red", "blue", "green"], "answer": 2}
                {"id": "q3", "question": "which colour is the sky ?", "choices": ["blue", "green"], "answer": 0}
                """);
        Files.writeString(
                dir.resolve("task.yml"), "name: colours\ntype: multiple_choice\ndata: items.jsonl\nformat: jsonl\n");
        Path log = dir.resolve("samples.jsonl");
        String[] r = run(
                "eval",
                "--model",
                model.toString(),
                "--task",
                dir.resolve("task.yml").toString(),
                "--log-samples",
                log.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("colours acc ") && r[1].contains("colours acc_norm "), r[1]);
        List<String> lines = Files.readAllLines(log);
        assertEquals(3, lines.size());
        int correct = 0;
        for (String line : lines) {
            JsonNode j = new ObjectMapper().readTree(line);
            JsonNode ll = j.get("loglik");
            int argmax = 0;
            for (int c = 1; c < ll.size(); c++) {
                argmax = ll.get(c).asDouble() > ll.get(argmax).asDouble() ? c : argmax;
            }
            assertEquals(argmax, j.get("pred").asInt(), line);
            correct += j.get("correct").asBoolean() ? 1 : 0;
        }
        double acc = Double.parseDouble(r[1].lines()
                .filter(l -> l.startsWith("colours acc "))
                .findFirst()
                .orElseThrow()
                .split(" ")[2]);
        assertEquals(correct / 3.0, acc, 1e-4);
        String[] limited = run(
                "eval",
                "--model",
                model.toString(),
                "--task",
                dir.resolve("task.yml").toString(),
                "--items",
                "q2");
        assertEquals("0", limited[0], limited[2]);
        assertTrue(limited[1].contains("1 items"), limited[1]);
    }
}
