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
 * The demo's acceptance test, reduced: the demo zoo with a short adaptation of expert 2 ({@link ZooSpec#shortAdaptation},
 * built from scratch, the longest part), then the single-objective
 * multi-fidelity search with a smaller budget (120 candidates) through the engine; the evolved merge must beat both
 * parents on the held-out test split beyond chance (bootstrap interval above 0), never score below its start point on
 * the search split, and cost at most 1/8 of full evaluations. The full demo's numbers over zoo and run seeds are in docs/benchmarks.md.
 */
class DemoAcceptanceTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void aReducedDemoOnTheDefaultZooBeatsItsParentsOnHeldOutProblems() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        // the zoo recipe whose transfer holds on every CPU type measured: with the default's, zoo seed 0 trained under
        // AVX2 kernels barely reads B through a merge (uniform 4.3 %, expert 1 4.2 %), so the relation could not hold
        DemoResult r = Demo.run(DemoOptions.defaults()
                .withZooSpec(ZooSpec.shortAdaptation())
                .withZooDir(tmp.resolve("zoo"))
                .withRunDir(tmp.resolve("run"))
                .withResponseCache(tmp.resolve("responses"))
                .withBudget(120)
                .withControlPort(-1)
                .withOutput(out, out));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(r.finished(), printed);
        System.out.println(printed.substring(Math.max(0, printed.indexOf("| model"))));

        // every held-out score of the table, recomputed from the folders by the zoo's own evaluator
        Zoo zoo = new Zoo(tmp.resolve("zoo"));
        List<Item> test = TaskLoader.items(TaskLoader.load(zoo.task(Zoo.TARGET_TEST)));
        assertTrue(test.size() >= 300, "at least 300 held-out problems: " + test.size());
        double bestParent = OneThread.call(() -> checkHeldOut(zoo, r));
        assertEquals(
                100 * (r.row("evolved").heldOut().get(Zoo.TARGET_TEST) - bestParent), r.gainOverBestParent(), 1e-9);
        // the evolved merge beats the better parent beyond chance: the whole paired bootstrap 95 % interval of the
        // difference is above 0 (a relation that holds whatever the CPU's kernels make of the zoo; a fixed margin in
        // points did not: other kernels train other zoos, and on one of them the margin was +4.8)
        DemoResult.Comparison parent = r.comparisons().stream()
                .filter(c -> c.split().equals(Zoo.TARGET_TEST) && !c.against().startsWith("uniform"))
                .findFirst()
                .orElseThrow();
        assertTrue(parent.low() > 0, "evolved vs the better parent on the held-out split: " + parent);
        // never below the start point on the search split, and its comparisons with intervals are reported
        int searchItems =
                TaskLoader.items(TaskLoader.load(zoo.task(Zoo.TARGET_SEARCH))).size();
        assertEquals(ZooSpec.shortAdaptation().searchItems(), searchItems);
        double evolvedSearch = r.row("evolved").searchScores().get("arith_b");
        assertTrue(evolvedSearch >= r.row("uniform TA 1.0/1.0").searchScores().get("arith_b"), "below the start point");
        assertTrue(
                r.comparisons().stream().anyMatch(c -> c.split().equals(Zoo.TARGET_TEST) && c.low() <= c.difference()));
        // the items the template allows: a tenth of scoring every candidate on every search item (the first rungs and
        // the start point included), the final rung's 3 finalists, and the parents' answers once (the full demo's
        // 300 candidates spend 0.11-0.12 of full evaluation in all: docs/benchmarks.md)
        assertEquals(3L * searchItems, r.search().extractItems());
        assertTrue(
                r.search().candidateItems() <= 0.1 * r.search().fullItems() + 3 * searchItems,
                r.search().candidateItems() + " items of " + r.search().fullItems());
    }

    /** The table's held-out scores recomputed (one libtorch thread, as the demo); returns the better parent's. */
    private static double checkHeldOut(Zoo zoo, DemoResult r) {
        double bestParent = 0;
        try (ZooEval eval = new ZooEval(zoo)) {
            for (String[] p :
                    List.of(new String[] {"base", Zoo.BASE}, new String[] {"expert 1", Zoo.EXPERT1}, new String[] {
                        "expert 2", Zoo.EXPERT2
                    })) {
                try (CausalLM lm = CausalLM.load(zoo.dir().resolve(p[1]))) {
                    double acc = eval.accuracy(lm, Zoo.TARGET_TEST);
                    assertEquals(acc, r.row(p[0]).heldOut().get(Zoo.TARGET_TEST), 1e-12, p[0]);
                    bestParent = Math.max(bestParent, acc);
                }
            }
            try (CausalLM lm = CausalLM.load(r.row("evolved").path())) {
                double evolved = eval.accuracy(lm, Zoo.TARGET_TEST);
                assertEquals(evolved, r.row("evolved").heldOut().get(Zoo.TARGET_TEST), 1e-12);
            }
        }
        return bestParent;
    }
}
