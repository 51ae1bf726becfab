package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.RunException;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose objective is a command of the user's: every candidate is written to a scratch folder, the command
 * answers its items, the folder is removed; a failing command fails the attempt and, after the attempts, the run.
 */
class ExternalObjectiveRunTest {
    /** An evaluator that checks the folder, logs it, and answers the ids ending in an even digit correctly. */
    static Path evaluator(Path tmp) throws Exception {
        Path script = tmp.resolve("evaluate.sh");
        Files.writeString(script, """
                #!/bin/sh
                for f in config.json model.safetensors tokenizer.json mergekit_config.yml; do
                  test -f "$1/$f" || { echo "no $f in $1" >&2; exit 5; }
                done
                echo "$1 $(wc -l < "$2")" >> "$(dirname "$0")/calls.log"
                while read id; do
                  case "$id" in *[02468]) c=1 ;; *) c=0 ;; esac
                  echo "{\\"id\\": \\"$id\\", \\"correct\\": $c}"
                done < "$2"
                """);
        script.toFile().setExecutable(true);
        return script;
    }

    static Path runFile(Path tmp, String name, String objective) throws Exception {
        return MergeRunTest.taskArithmeticRun(tmp, name, "cmaes, settings { population = 3 }", objective, "", 3);
    }

    @Test
    void candidatesAreWrittenScoredByTheCommandAndRemoved(@TempDir Path tmp) throws Exception {
        MergeRunTest.zoo(tmp);
        Path script = evaluator(tmp);
        Files.createDirectories(tmp.resolve("scratch"));
        Path run = runFile(
                tmp,
                "ext",
                "{ name = ext, command = \"" + script + " \\\"$1\\\" \\\"$2\\\"\", items = 10, n = 4, scratch = "
                        + tmp.resolve("scratch") + ", timeout = 2m }");
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:1"))) {
            Protocol.Status s = EngineTestSupport.runToEnd(node, run, "ext", 300);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        }
        List<String> calls = Files.readAllLines(tmp.resolve("calls.log"));
        assertEquals(3, calls.size(), calls.toString());
        for (String call : calls) {
            Path folder = Path.of(call.split(" ")[0]);
            assertTrue(folder.startsWith(tmp.resolve("scratch")), call);
            assertFalse(Files.exists(folder), "removed after the evaluation: " + folder);
            assertEquals("4", call.split(" ")[1], "n = 4 of the 10 ids");
        }
        List<String> results = Files.readAllLines(tmp.resolve("out-ext/results.csv"));
        assertEquals(4, results.size(), results.toString());
        // the same 4 ids for every candidate, so the same share of even ids: the value is that share
        int col = List.of(results.get(0).split(",")).indexOf("ext");
        for (String row : results.subList(1, results.size())) {
            double v = Double.parseDouble(row.split(",")[col]);
            assertTrue(v == 0 || v == 0.25 || v == 0.5 || v == 0.75 || v == 1, row);
        }
    }

    @Test
    void anEvaluationServiceScoresTheCandidatesOverHttp(@TempDir Path tmp) throws Exception {
        MergeRunTest.zoo(tmp);
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/eval", exchange -> {
            JsonNode req = new ObjectMapper().readTree(exchange.getRequestBody());
            String model = req.get("model").asText();
            boolean complete = Files.isRegularFile(Path.of(model, "model.safetensors"));
            seen.add(model);
            StringBuilder out = new StringBuilder();
            for (JsonNode id : req.get("items")) {
                out.append("{\"id\": \"")
                        .append(id.asText())
                        .append("\", \"correct\": ")
                        .append(complete ? 1 : 0)
                        .append("}\n");
            }
            byte[] b = out.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
        try {
            Path run = runFile(
                    tmp,
                    "http",
                    "{ name = svc, url = \"http://127.0.0.1:"
                            + server.getAddress().getPort() + "/eval\", items = 4 }");
            try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:1"))) {
                Protocol.Status s = EngineTestSupport.runToEnd(node, run, "http", 300);
                assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
            }
        } finally {
            server.stop(0);
        }
        assertEquals(3, seen.size(), seen.toString());
        List<String> results = Files.readAllLines(tmp.resolve("out-http/results.csv"));
        int col = List.of(results.get(0).split(",")).indexOf("svc");
        for (String row : results.subList(1, results.size())) {
            assertEquals(1.0, Double.parseDouble(row.split(",")[col]), row); // every folder was complete when asked
        }
        for (String folder : seen) {
            assertFalse(Files.exists(Path.of(folder)), "removed after the evaluation: " + folder);
        }
    }

    @Test
    void aFailingCommandFailsTheRunWithItsMessage(@TempDir Path tmp) throws Exception {
        MergeRunTest.zoo(tmp);
        Path run = runFile(tmp, "bad", "{ name = bad, command = \"echo broken evaluator >&2; exit 7\", items = 3 }");
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:1"))) {
            Protocol.Status s = EngineTestSupport.runToEnd(node, run, "bad", 300);
            assertEquals(RunState.Status.FAILED, s.state(), s.finishReason());
            assertTrue(
                    s.finishReason().contains("exited with code 7")
                            && s.finishReason().contains("broken evaluator"),
                    s.finishReason());
        }
    }

    @Test
    void badExternalObjectivesAreNamed(@TempDir Path tmp) throws Exception {
        MergeRunTest.zoo(tmp);
        String[][] bad = {
            {
                "{ name = x, command = \"true\", items = 3, items-file = ids.txt }",
                "give 'items' (a count) or 'items-file'"
            },
            {"{ name = x, command = \"true\", estimator = gpirt, n = 2 }", "selector and estimator need a task file"},
            {"{ name = x, command = \"true\", task = task.yml }", "give exactly one of 'task'"},
            {"{ name = x, command = \"true\", timeout = 0s }", "run.objectives[0].timeout must be positive"},
        };
        for (String[] b : bad) {
            Path f = runFile(tmp, "b", b[0]);
            RunException e = assertThrows(RunException.class, () -> RunSpec.load(f));
            assertTrue(e.getMessage().contains(b[1]), b[1] + " not in " + e.getMessage());
        }
    }
}
