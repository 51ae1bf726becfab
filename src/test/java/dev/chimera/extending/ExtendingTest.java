package dev.chimera.extending;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import com.typesafe.config.ConfigFactory;
import dev.chimera.cli.CliRun;
import dev.chimera.estimate.AccuracyEstimator;
import dev.chimera.estimate.EstimateException;
import dev.chimera.estimate.Estimators;
import dev.chimera.estimate.Selection;
import dev.chimera.merge.TinyLlama;
import dev.chimera.merge.method.MergeException;
import dev.chimera.merge.method.MergeInput;
import dev.chimera.merge.method.MergeMethod;
import dev.chimera.merge.method.MergeMethods;
import dev.chimera.search.Bounds;
import dev.chimera.search.Candidate;
import dev.chimera.search.Optimizer;
import dev.chimera.search.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/extending.md, compiled and run. */
class ExtendingTest {
    @TempDir
    Path dir;

    @Test
    void aMergeMethodPluginIsFoundOnTheClassPathAndMerges() throws Exception {
        TinyLlama t = new TinyLlama();
        List<Map<String, double[]>> in = new ArrayList<>();
        for (String m : List.of("a", "b", "c")) {
            in.add(t.write(dir.resolve(m), m.charAt(0)));
        }
        Path cfg = dir.resolve("sca.yml");
        Files.writeString(cfg, """
                models:
                  - model: %s
                  - model: %s
                  - model: %s
                merge_method: sign_consensus_average
                """.formatted(dir.resolve("a"), dir.resolve("b"), dir.resolve("c")));
        CliRun r = CliRun.of("merge", cfg.toString(), dir.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        Map<String, double[]> out = TinyLlama.read(dir.resolve("out"));
        assertEquals(in.get(0).keySet(), out.keySet());
        for (String k : out.keySet()) {
            for (int i = 0; i < out.get(k).length; i++) {
                // worked out per entry: the mean of the values whose sign is the sign of the sum
                double sum = 0;
                for (Map<String, double[]> m : in) {
                    sum += m.get(k)[i];
                }
                double total = 0;
                int count = 0;
                for (Map<String, double[]> m : in) {
                    double x = m.get(k)[i];
                    if (sum != 0 && Math.signum(x) == Math.signum(sum)) {
                        total += x;
                        count++;
                    }
                }
                double want = count == 0 ? 0 : total / count;
                assertEquals(want, out.get(k)[i], 1e-6, k + "[" + i + "]");
            }
        }
        assertTrue(MergeMethods.all().containsKey("sign_consensus_average"));
    }

    @Test
    void aMethodCannotTakeABuiltInName() {
        MergeMethod impostor = new MergeMethod() {
            @Override
            public String name() {
                return "ties";
            }

            @Override
            public NDArray merge(MergeInput in) {
                return in.tensors().get(0);
            }
        };
        MergeException e = assertThrows(MergeException.class, () -> MergeMethods.register(impostor));
        assertTrue(
                e.getMessage().contains("merge method 'ties' of ")
                        && e.getMessage().contains("is taken by a built-in merge method"),
                e.getMessage());
        // a new name registers, and the same instance again is no clash
        MergeMethod first = new MergeMethod() {
            @Override
            public String name() {
                return "first_input";
            }

            @Override
            public NDArray merge(MergeInput in) {
                return in.tensors().get(0).duplicate();
            }
        };
        MergeMethods.register(first);
        MergeMethods.register(first);
        assertEquals(first, MergeMethods.get("first_input"));
    }

    /**
     * Tells the objective of every candidate asked until {@code evaluations} results are in; candidates asked but
     * not told by then stay in {@code outstanding}. Returns the candidates told, in order.
     */
    private static List<Candidate> driveUntil(Optimizer o, long evaluations, List<Candidate> outstanding)
            throws InterruptedException {
        List<Candidate> told = new ArrayList<>();
        while (o.evaluations() < evaluations) {
            if (outstanding.isEmpty()) {
                outstanding.addAll(o.ask(64));
                if (outstanding.isEmpty()) {
                    Thread.sleep(1); // the engine is evolving the next generation
                    continue;
                }
            }
            Candidate c = outstanding.remove(0);
            double f = 0;
            for (double x : c.genes()) {
                f -= (x - 0.3) * (x - 0.3);
            }
            o.tell(c.id(), new double[] {f});
            told.add(c);
        }
        return told;
    }

    @Test
    void aJeneticsEngineWrappedAsAnOptimizerSearchesAndRestoresExactly() throws Exception {
        Optimizers.register(new JeneticsEngineOptimizer.Factory());
        Optimizer o = Optimizers.create(
                "jenetics-engine", Bounds.uniform(3, -1, 1), 1, 5, ConfigFactory.parseString("population = 10"));
        driveUntil(o, 300, new ArrayList<>());
        assertTrue(
                o.best().get(0).objectives()[0] > -0.01,
                "best " + o.best().get(0).objectives()[0]);
        assertTrue(o.generation() >= 20, "generations " + o.generation());
        // a snapshot in the middle of a generation, with candidates handed out and not told
        Optimizer a = Optimizers.create(
                "jenetics-engine", Bounds.uniform(3, -1, 1), 1, 9, ConfigFactory.parseString("population = 10"));
        List<Candidate> outstanding = new ArrayList<>();
        driveUntil(a, 35, outstanding);
        assertTrue(!outstanding.isEmpty(), "mid-generation");
        Optimizer b = Optimizers.restore(a.snapshot());
        List<Candidate> fromA = driveUntil(a, 70, outstanding);
        List<Candidate> fromB = driveUntil(b, 70, new ArrayList<>());
        assertEquals(fromA.size(), fromB.size());
        for (int i = 0; i < fromA.size(); i++) {
            assertEquals(fromA.get(i).id(), fromB.get(i).id(), "candidate " + i);
            assertTrue(Arrays.equals(fromA.get(i).genes(), fromB.get(i).genes()), "candidate " + i);
        }
    }

    @Test
    void anEstimatorRegisteredInCodeIsUsedByName() {
        Estimators.register(new LaplaceMean());
        AccuracyEstimator context = new AccuracyEstimator(
                null,
                Selection.uniform("random", new int[] {0, 3, 5, 8}),
                null,
                AccuracyEstimator.Options.defaults(),
                10);
        // 4 of 4 right reads as (4 + 1) / (4 + 2), not 1
        assertEquals(5.0 / 6, context.estimate("laplace-mean", new double[] {1, 1, 1, 1}, null), 1e-12);
        assertEquals(2.0 / 6, context.estimate("laplace-mean", new double[] {1, 0, 0, 0}, null), 1e-12);
        assertTrue(Estimators.names().contains("laplace-mean")
                && Estimators.names().contains("gpirt"));
        EstimateException e = assertThrows(EstimateException.class, () -> Estimators.register(new LaplaceMean()));
        assertTrue(e.getMessage().contains("estimator 'laplace-mean'"), e.getMessage());
    }

    /** Maximises -|x - 0.3|^2 with the registered optimizer; returns the candidates in the order asked. */
    private static List<double[]> drive(Optimizer o, int evaluations) {
        List<double[]> asked = new ArrayList<>();
        for (int e = 0; e < evaluations; e++) {
            Candidate c = o.ask(1).get(0);
            asked.add(c.genes());
            double f = 0;
            for (double x : c.genes()) {
                f -= (x - 0.3) * (x - 0.3);
            }
            o.tell(c.id(), new double[] {f});
        }
        return asked;
    }

    @Test
    void anOptimizerRegisteredInCodeIsCreatedByNameAndRestoresFromItsSnapshot() {
        Optimizers.register(new OnePlusOneEs.Factory());
        assertTrue(Optimizers.names().contains("one-plus-one"));
        Optimizer o = Optimizers.create("one-plus-one", Bounds.uniform(3, -1, 1), 1, 7);
        Bounds box = o.bounds();
        drive(o, 200);
        double first = -3 * 1.0; // a bound on the start point's value in this box
        double best = o.best().get(0).objectives()[0];
        assertTrue(best > -1e-3 && best > first, "best " + best);
        // a run restored from its snapshot continues with the same candidates
        Optimizer a = Optimizers.create("one-plus-one", box, 1, 11);
        drive(a, 40);
        Optimizer b = Optimizers.restore(a.snapshot());
        List<double[]> fromA = drive(a, 30);
        List<double[]> fromB = drive(b, 30);
        for (int i = 0; i < fromA.size(); i++) {
            assertTrue(Arrays.equals(fromA.get(i), fromB.get(i)), "candidate " + i);
        }
        // a second factory of the same name is refused
        assertThrows(RuntimeException.class, () -> Optimizers.register(new OnePlusOneEs.Factory()));
    }
}
