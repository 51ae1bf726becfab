package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TaskRunner with a character-level codec (id = code point, BOS = 1 first) and a scripted model. */
class TaskRunnerTest {
    static final TokenCodec CODEC = new TokenCodec() {
        @Override
        public int[] encodeWithSpecial(String text) {
            int[] cps = text.codePoints().toArray();
            int[] out = new int[cps.length + 1];
            out[0] = 1;
            System.arraycopy(cps, 0, out, 1, cps.length);
            return out;
        }

        @Override
        public String decode(int[] ids) {
            StringBuilder b = new StringBuilder();
            for (int id : ids) {
                if (id > 2) {
                    b.appendCodePoint(id);
                }
            }
            return b.toString();
        }

        @Override
        public Optional<Integer> eosId() {
            return Optional.of(2);
        }
    };

    static String text(int[] ids) {
        return CODEC.decode(ids);
    }

    /** Log-likelihood scripted by continuation text; generation scripted by the prompt's last line. */
    static final class Scripted implements LanguageModel {
        final Map<String, Double> ll;
        final Map<String, String> outputs;
        final List<String> contexts = new ArrayList<>();
        final List<String> continuations = new ArrayList<>();

        Scripted(Map<String, Double> ll, Map<String, String> outputs) {
            this.ll = ll;
            this.outputs = outputs;
        }

        @Override
        public List<LogLikelihood> logLikelihoods(List<int[]> ctx, List<int[]> cont) {
            List<LogLikelihood> out = new ArrayList<>();
            for (int i = 0; i < ctx.size(); i++) {
                assertEquals(1, ctx.get(i)[0], "context starts with BOS");
                contexts.add(text(ctx.get(i)));
                continuations.add(text(cont.get(i)));
                out.add(new LogLikelihood(ll.get(text(cont.get(i))), false));
            }
            return out;
        }

        @Override
        public int[] generate(int[] prompt, int maxNewTokens, Set<Integer> stopIds) {
            assertEquals(Set.of(2), stopIds);
            String p = text(prompt);
            String q = p.substring(p.lastIndexOf("Question: ") + 10, p.lastIndexOf("\nAnswer:"));
            int[] out = outputs.get(q).codePoints().toArray();
            int[] withEos = Arrays.copyOf(out, out.length + 1);
            withEos[out.length] = 2;
            return withEos;
        }
    }

    static Task task(Task.Type type, String prompt, String cont, String metric, String language) {
        return new Task(
                "toy",
                type,
                Path.of("unused"),
                Task.Format.JSONL,
                prompt,
                cont,
                0,
                null,
                "\n\n",
                language,
                metric,
                32,
                List.of("Question:"),
                Path.of("toy.yaml"),
                null);
    }

    @Test
    void accAndAccNormDiffer() {
        // item 1: cat -6 (norm -6/3 = -2), elephant -8 (norm -8/8 = -1): acc picks cat, acc_norm picks elephant (gold).
        // item 2: yes -1 (norm -1/3), no -3 (norm -1.5): both pick yes (gold).
        Scripted m = new Scripted(Map.of(" cat", -6.0, " elephant", -8.0, " yes", -1.0, " no", -3.0), Map.of());
        List<Item> items = List.of(
                new Item.Choice("big", "Which is bigger?", List.of("cat", "elephant"), 1),
                new Item.Choice("ok", "Fine?", List.of("yes", "no"), 0));
        TaskRunner runner = new TaskRunner(m, CODEC, null);
        TaskResult r = runner.run(
                task(Task.Type.MULTIPLE_CHOICE, Task.DEFAULT_PROMPT, " {choice}", "acc", null), items, List.of());
        assertEquals(0.5, r.metrics().get("acc"));
        assertEquals(1.0, r.metrics().get("acc_norm"));
        assertEquals(0.5, r.score());
        ItemResult first = r.items().get(0);
        assertEquals(0, first.pred());
        assertEquals(1, first.predNorm());
        assertFalse(first.correct());
        assertArrayEquals(new double[] {-6, -8}, first.loglik());
        assertEquals("Question: Which is bigger?\nAnswer:", m.contexts.get(0));
        TaskResult norm = runner.run(
                task(Task.Type.MULTIPLE_CHOICE, Task.DEFAULT_PROMPT, " {choice}", "acc_norm", null), items, List.of());
        assertEquals(1.0, norm.score());
        assertTrue(norm.items().get(0).correct());
    }

    @Test
    void trailingContextSpaceMovesToContinuationAndFewshotPrefix() {
        Scripted m = new Scripted(Map.of(" cat", -1.0, " elephant", -2.0), Map.of());
        Task t = task(Task.Type.MULTIPLE_CHOICE, "Q: {question} A: ", "{choice}", "acc", null);
        List<Item> shots = List.of(new Item.Choice("s", "Small?", List.of("ant", "cow"), 0));
        new TaskRunner(m, CODEC, null)
                .run(t, List.of(new Item.Choice("big", "Bigger?", List.of("cat", "elephant"), 1)), shots);
        assertEquals(List.of(" cat", " elephant"), m.continuations);
        assertEquals("Q: Small? A: ant\n\nQ: Bigger? A:", m.contexts.get(0));
    }

    @Test
    void generationNeedsNumberAndLanguage(@TempDir Path dir) throws Exception {
        Scripted m = new Scripted(
                Map.of(),
                Map.of(
                        "q1", "The total is 1,234.50 dollars, that is the answer.\n\nQuestion: next one 99",
                        "q2", "Die Antwort ist zweiundvierzig, also insgesamt 42.",
                        "q3", " 42",
                        "q4", "I think the answer is probably 41 dollars."));
        List<Item> items = List.of(
                new Item.Generation("1", "q1", new BigDecimal("1234.5"), "1234.5"),
                new Item.Generation("2", "q2", new BigDecimal(42), "42"),
                new Item.Generation("3", "q3", new BigDecimal(42), "42"),
                new Item.Generation("4", "q4", new BigDecimal(42), "42"));
        TaskResult r = new TaskRunner(m, CODEC, LanguageCheck.mgsm())
                .run(
                        task(Task.Type.GENERATION, Task.DEFAULT_PROMPT, " {answer}", "exact_match", "en"),
                        items,
                        List.of());
        assertEquals(0.5, r.score());
        assertEquals(0.5, r.metrics().get("exact_match"));
        assertEquals(0.75, r.metrics().get("exact_match_any_language"));
        assertEquals(0.75, r.metrics().get("language_rate"));
        ItemResult one = r.items().get(0);
        assertEquals("The total is 1,234.50 dollars, that is the answer.\n\n", one.output());
        assertEquals(0, one.extracted().compareTo(new BigDecimal("1234.5")));
        assertEquals("en", one.language());
        assertTrue(one.correct());
        ItemResult two = r.items().get(1);
        assertTrue(two.numberCorrect());
        assertEquals("de", two.language());
        assertFalse(two.correct());
        ItemResult three = r.items().get(2);
        assertFalse(three.languageChecked());
        assertTrue(three.correct());
        assertFalse(r.items().get(3).correct());

        Path log = dir.resolve("samples.jsonl");
        SampleLogWriter.write(log, r);
        List<String> lines = Files.readAllLines(log);
        assertEquals(4, lines.size());
        JsonNode j = new ObjectMapper().readTree(lines.get(1));
        assertEquals("toy", j.get("task").asText());
        assertEquals("2", j.get("id").asText());
        assertFalse(j.get("correct").asBoolean());
        assertTrue(j.get("number_correct").asBoolean());
        assertEquals("de", j.get("language").asText());
        assertEquals(42, j.get("extracted").asInt());
        try (var files = Files.list(dir)) {
            assertEquals(
                    List.of("samples.jsonl"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toList()),
                    "no temp file left");
        }
    }

    @Test
    void multipleChoiceSampleLog(@TempDir Path dir) throws Exception {
        Scripted m = new Scripted(Map.of(" cat", -6.0, " elephant", -8.0), Map.of());
        TaskResult r = new TaskRunner(m, CODEC, null)
                .run(
                        task(Task.Type.MULTIPLE_CHOICE, Task.DEFAULT_PROMPT, " {choice}", "acc", null),
                        List.of(new Item.Choice("big", "B?", List.of("cat", "elephant"), 1)),
                        List.of());
        Path log = dir.resolve("sub/mc.jsonl");
        SampleLogWriter.write(log, r);
        JsonNode j = new ObjectMapper().readTree(Files.readAllLines(log).get(0));
        assertEquals(-6.0, j.get("loglik").get(0).asDouble());
        assertEquals(0, j.get("pred").asInt());
        assertEquals(1, j.get("pred_norm").asInt());
        assertEquals(1, j.get("gold").asInt());
    }
}
