package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The external evaluator's protocol, with small shell scripts as evaluators. */
class ExternalEvaluatorTest {
    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        p.toFile().setExecutable(true);
        return p;
    }

    private String message(String command, Duration timeout, List<String> ids) {
        return assertThrows(EvalException.class, () -> new ExternalEvaluator(command, timeout).evaluate(dir, ids))
                .getMessage();
    }

    @Test
    void perItemAnswersAndScoresAreRead() throws Exception {
        // correct on ids that end in an even digit; the model folder and items file come as $1 and $2
        Path perItem = script("items.sh", """
                test -d "$1" || exit 9
                test "$CHIMERA_ITEMS" = "$2" || exit 8
                while read id; do
                  case "$id" in *[02468]) c=1 ;; *) c=0 ;; esac
                  echo "{\\"id\\": \\"$id\\", \\"correct\\": $c}"
                done < "$2"
                """);
        var r = new ExternalEvaluator(perItem + " \"$1\" \"$2\"", Duration.ofSeconds(30))
                .evaluate(dir, List.of("q1", "q2", "q3", "q4"));
        assertEquals(Map.of("q1", 0, "q2", 1, "q3", 0, "q4", 1), r.items());
        assertEquals(List.of("q1", "q2", "q3", "q4"), List.copyOf(r.items().keySet()));
        assertEquals(0.5, r.value());
        assertNull(r.score());
        var s = new ExternalEvaluator("echo '{\"score\": 0.625}'", Duration.ofSeconds(30)).evaluate(dir, List.of());
        assertEquals(0.625, s.value());
    }

    @Test
    void failuresAreNamed() throws Exception {
        Duration t = Duration.ofSeconds(30);
        assertTrue(message("echo boom >&2; exit 3", t, List.of("a")).contains("exited with code 3"));
        assertTrue(message("echo boom >&2; exit 3", t, List.of("a")).contains("stderr ends with:\nboom"));
        String slow = message("sleep 5", Duration.ofMillis(300), List.of("a"));
        assertTrue(slow.contains("timed out after PT0.3S"), slow);
        assertTrue(message("echo hello", t, List.of("a")).contains("stdout line 1: not JSON: hello"));
        assertTrue(message("echo '{\"score\": 1} trailing'", t, List.of()).contains("not JSON"));
        assertTrue(message("echo '{\"id\": \"a\", \"correct\": 1}'", t, List.of("a", "b"))
                .contains("answered 1 of 2 items (missing, e.g.: b)"));
        assertTrue(message("echo '{\"id\": \"z\", \"correct\": 1}'", t, List.of("a"))
                .contains("item 'z' was not asked for"));
        assertTrue(message("echo '{\"id\": \"a\", \"correct\": 2}'", t, List.of("a"))
                .contains("correct must be 0, 1, true or false, got 2"));
        assertTrue(message(
                        "echo '{\"id\": \"a\", \"correct\": 1}'; echo '{\"id\": \"a\", \"correct\": 0}'",
                        t,
                        List.of("a"))
                .contains("item 'a' answered twice"));
        assertTrue(message("true", t, List.of()).contains("printed no {\"score\": x} line"));
        assertTrue(message("echo '{\"score\": \"high\"}'", t, List.of()).contains("score must be a finite number"));
    }

    @Test
    void anEvaluationServiceAnswersOverHttp() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/score", exchange -> {
            JsonNode req = new ObjectMapper().readTree(exchange.getRequestBody());
            StringBuilder out = new StringBuilder();
            int status = 200;
            if (!Files.isDirectory(Path.of(req.get("model").asText()))) {
                status = 400;
                out.append("no such folder");
            } else if (req.get("items").isEmpty()) {
                out.append("{\"score\": 0.375}\n");
            } else {
                for (JsonNode id : req.get("items")) {
                    out.append("{\"id\": \"")
                            .append(id.asText())
                            .append("\", \"correct\": ")
                            .append(id.asText().endsWith("1") ? 1 : 0)
                            .append("}\n");
                }
            }
            byte[] b = out.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Duration t = Duration.ofSeconds(30);
            var r = ExternalEvaluator.http(base + "/score", t).evaluate(dir, List.of("a1", "a2"));
            assertEquals(Map.of("a1", 1, "a2", 0), r.items());
            assertEquals(
                    0.375,
                    ExternalEvaluator.http(base + "/score", t)
                            .evaluate(dir, List.of())
                            .value());
            String bad = assertThrows(
                            EvalException.class,
                            () -> ExternalEvaluator.http(base + "/score", t)
                                    .evaluate(dir.resolve("gone"), List.of("a")))
                    .getMessage();
            assertTrue(bad.contains("answered HTTP 400") && bad.contains("no such folder"), bad);
            String slow = assertThrows(
                            EvalException.class,
                            () -> ExternalEvaluator.http(base + "/slow", Duration.ofMillis(300))
                                    .evaluate(dir, List.of()))
                    .getMessage();
            assertTrue(slow.contains("timed out after PT0.3S"), slow);
        } finally {
            server.stop(0);
        }
        int closed;
        try (var s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String unreachable = assertThrows(
                        EvalException.class,
                        () -> ExternalEvaluator.http("http://127.0.0.1:" + closed + "/x", Duration.ofSeconds(5))
                                .evaluate(dir, List.of()))
                .getMessage();
        assertTrue(unreachable.contains("could not be reached"), unreachable);
        assertTrue(assertThrows(EvalException.class, () -> ExternalEvaluator.http("ftp://x/y", Duration.ofSeconds(1)))
                .getMessage()
                .contains("must be http or https"));
    }
}
