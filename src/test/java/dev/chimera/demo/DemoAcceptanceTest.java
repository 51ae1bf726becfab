package dev.chimera.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.eval.Item;
import dev.chimera.eval.TaskLoader;
import dev.chimera.model.CausalLM;
import dev.chimera.zoo.Zoo;
import dev.chimera.zoo.ZooEval;
import dev.chimera.zoo.ZooSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's acceptance test, reduced: the default zoo (built from scratch, the longest part), then the single-objective
 * multi-fidelity search with a smaller budget (120 candidates) through the engine; the evolved merge must beat both
 * parents on the held-out test split, never score below its start point on the search split, and cost at most 1/8 of
 * full evaluations. The full demo's numbers over zoo and run seeds are in docs/benchmarks.md.
 */
class DemoAcceptanceTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void aReducedDemoOnTheDefaultZooBeatsItsParentsOnHeldOutProblems() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        DemoResult r = Demo.run(DemoOptions.defaults().withZooDir(tmp.resolve("zoo")).withRunDir(tmp.resolve("run"))
                .withResponseCache(tmp.resolve("responses")).withBudget(120).withControlPort(-1)
                .withOutput(out, out));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(r.finished(), printed);
        System.out.println(printed.substring(Math.max(0, printed.indexOf("| model"))));

        // every held-out score of the table, recomputed from the folders by the zoo's own evaluator
        Zoo zoo = new Zoo(tmp.resolve("zoo"));
        List<Item> test = TaskLoader.items(TaskLoader.load(zoo.task(Zoo.TARGET_TEST)));
        assertTrue(test.size() >= 300, "at least 300 held-out problems: " + test.size());
        double bestParent = OneThread.call(() -> checkHeldOut(zoo, r));
        assertTrue(r.gainOverBestParent() >= 5, "gain " + r.gainOverBestParent());
        // never below the start point on the search split, and its comparisons with intervals are reported
        int searchItems = TaskLoader.items(TaskLoader.load(zoo.task(Zoo.TARGET_SEARCH))).size();
        assertEquals(ZooSpec.defaults().searchItems(), searchItems);
        double evolvedSearch = r.row("evolved").searchScores().get("arith_b");
        assertTrue(evolvedSearch >= r.row("uniform TA 1.0/1.0").searchScores().get("arith_b"), "below the start point");
        assertTrue(r.comparisons().stream().anyMatch(c -> c.split().equals(Zoo.TARGET_TEST) && c.low() <= c.difference()));
        // everything the search evaluated, parents' answers included, is at most 1/8 of scoring every candidate on
        // every search item
        assertTrue(8 * r.search().totalItems() <= r.search().fullItems(), r.search().totalItems() + " items of "
                + r.search().fullItems());
    }

    /** The table's held-out scores recomputed (one libtorch thread, as the demo); returns the better parent's. */
    private static double checkHeldOut(Zoo zoo, DemoResult r) {
        double bestParent = 0;
        try (ZooEval eval = new ZooEval(zoo)) {
            for (String[] p : List.of(new String[] {"base", Zoo.BASE}, new String[] {"expert 1", Zoo.EXPERT1},
                    new String[] {"expert 2", Zoo.EXPERT2})) {
                try (CausalLM lm = CausalLM.load(zoo.dir().resolve(p[1]))) {
                    double acc = eval.accuracy(lm, Zoo.TARGET_TEST);
                    assertEquals(acc, r.row(p[0]).heldOut().get(Zoo.TARGET_TEST), 1e-12, p[0]);
                    bestParent = Math.max(bestParent, acc);
                }
            }
            try (CausalLM lm = CausalLM.load(r.row("evolved").path())) {
                double evolved = eval.accuracy(lm, Zoo.TARGET_TEST);
                assertEquals(evolved, r.row("evolved").heldOut().get(Zoo.TARGET_TEST), 1e-12);
                // 5 points = 15 of the 300 problems: far beyond a lucky draw for a model whose parents score <= 5 %
                assertTrue(evolved >= bestParent + 0.05, "evolved " + evolved + " vs the better parent " + bestParent);
            }
        }
        return bestParent;
    }
}
