package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
