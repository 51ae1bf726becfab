package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cli.CliRun;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An lm-eval task file works wherever a task is named: {@code chimera eval} (the same scores as Chimera's own format
 * of the same items), {@code chimera extract} and an engine run's objective.
 */
class HarnessTaskEverywhereTest {
    /** The zoo's colour items as lm-eval reads them: the same prompt and continuations as Chimera's task.yml. */
    static Path lmEvalTask(Path tmp) throws Exception {
        Path f = tmp.resolve("colours_lmeval.yaml");
        Files.writeString(f, """
                task: colours_lmeval
                dataset_path: json
                dataset_kwargs:
                  data_files:
                    test: items.jsonl
                test_split: test
                output_type: multiple_choice
                doc_to_text: "Question: {{question}}\\nAnswer:"
                doc_to_choice: choices
                doc_to_target: answer
                metric_list:
                  - metric: acc
                """);
        return f;
    }

    @Test
    void evalExtractAndRunsReadLmEvalTaskFiles(@TempDir Path tmp) throws Exception {
        MergeRunTest.zoo(tmp);
        Path task = lmEvalTask(tmp);
        // chimera eval: the lm-eval file and Chimera's own file of the same items score alike
        CliRun lm = CliRun.of(
                "eval",
                "--model",
                tmp.resolve("a").toString(),
                "--task",
                task.toString(),
                "--log-samples",
                tmp.resolve("lm.jsonl").toString());
        assertEquals(0, lm.code(), lm.err());
        CliRun own = CliRun.of(
                "eval",
                "--model",
                tmp.resolve("a").toString(),
                "--task",
                tmp.resolve("task.yml").toString());
        assertEquals(0, own.code(), own.err());
        String acc = own.out()
                .lines()
                .filter(l -> l.startsWith("colours acc "))
                .findFirst()
                .orElseThrow();
        assertTrue(
                lm.out().contains("colours_lmeval acc,none " + acc.substring("colours acc ".length())),
                lm.out() + " vs " + own.out());
        assertEquals(5, Files.readAllLines(tmp.resolve("lm.jsonl")).size());

        // chat-template options need --apply-chat-template; the zoo's tokenizer has no chat template to apply
        CliRun lone = CliRun.of(
                "eval", "--model", tmp.resolve("a").toString(), "--task", task.toString(), "--fewshot-as-multiturn");
        assertTrue(lone.code() != 0 && lone.err().contains("need --apply-chat-template"), lone.err());
        CliRun noTemplate = CliRun.of(
                "eval", "--model", tmp.resolve("a").toString(), "--task", task.toString(), "--apply-chat-template");
        assertTrue(noTemplate.code() != 0 && noTemplate.err().contains("has no chat_template"), noTemplate.err());

        // chimera extract
        CliRun ex = CliRun.of(
                "extract",
                "--task",
                task.toString(),
                "--n",
                "3",
                "--model",
                tmp.resolve("a").toString(),
                "--model",
                tmp.resolve("b").toString(),
                "--model",
                tmp.resolve("base").toString(),
                "--cache",
                tmp.resolve("cache").toString(),
                "--out",
                tmp.resolve("extract.json").toString());
        assertEquals(0, ex.code(), ex.err());
        assertTrue(Files.readString(tmp.resolve("extract.json")).contains("\"0\""), "items are lm-eval's doc ids");

        // an engine run with the lm-eval file as its objective
        Path runFile = tmp.resolve("run.conf");
        Files.writeString(runFile, """
                run {
                  name = lm-eval-objective
                  output = out
                  seed = 2
                  models { base = base, a = a, b = b }
                  genome {
                    method = task_arithmetic
                    base = base
                    models = [a, b]
                    params = [ { name = weight, min = 0, max = 1 } ]
                  }
                  algorithm { name = random, settings { population = 2 } }
                  objectives = [ { name = colours, task = colours_lmeval.yaml } ]
                  budget { evaluations = 4 }
                }
                """);
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:2"))) {
            Protocol.Status s = EngineTestSupport.runToEnd(node, runFile, "lm-eval-objective", 300);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        }
        List<String> rows = Files.readAllLines(tmp.resolve("out/results.csv"));
        assertEquals(5, rows.size(), String.join("\n", rows));
    }
}
