package dev.chimera.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.TinyLlama;
import dev.chimera.search.Optimizers;
import dev.chimera.search.genome.ParamGene;
import dev.chimera.search.genome.ParameterGenome;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSearchTest {
    @TempDir
    static Path dir;

    static Map<String, double[]> a;
    static Map<String, double[]> b;

    @BeforeAll
    static void models() throws Exception {
        TinyLlama t = new TinyLlama();
        a = t.write(dir.resolve("a"), 1);
        b = t.write(dir.resolve("b"), 2);
    }

    static ParameterGenome linear() {
        return ParameterGenome.builder("linear")
                .models(List.of(dir.resolve("a").toString(), dir.resolve("b").toString()))
                .param(ParamGene.perModel("weight", 0.05, 1))
                .build();
    }

    /** Squared distance of a merge from the 1:3 blend of a and b, negated (maximised at weight ratio 1:3). */
    static double closenessToOneToThree(MergedModel m) {
        double d = 0;
        for (Map.Entry<String, NDArray> e : m.weights().entrySet()) {
            float[] got = e.getValue().toFloatArray();
            double[] x = a.get(e.getKey());
            double[] y = b.get(e.getKey());
            for (int i = 0; i < got.length; i++) {
                double target = 0.25 * x[i] + 0.75 * y[i];
                d += (got[i] - target) * (got[i] - target);
            }
        }
        return -d;
    }

    @Test
    void aLambdaFitnessFindsTheBlendItRewards() {
        MergeProblem problem = MergeProblem.of(linear(), MergeFitness.of(LocalSearchTest::closenessToOneToThree));
        LocalSearch.Result r = LocalSearch.run(
                problem, Optimizers.create("cmaes", problem.genome().bounds(), 1, 3), 120);
        MergeConfig best = r.bestRecipe();
        double wa = ((Number) best.models().get(0).parameters().get("weight").evaluate("x", 0)).doubleValue();
        double wb = ((Number) best.models().get(1).parameters().get("weight").evaluate("x", 0)).doubleValue();
        double ratio = wa / (wa + wb);
        assertEquals(0.25, ratio, 0.02, "weights " + wa + ", " + wb);
        assertTrue(
                r.best().get(0).objectives()[0] > -1e-3,
                "distance " + r.best().get(0).objectives()[0]);
        assertTrue(r.merges() <= 120 && r.merges() == r.evaluated().size());
    }

    @Test
    void theMergedModelRunsAndAWrongFitnessIsNamed() {
        MergeProblem lm = MergeProblem.of(linear(), MergeFitness.of(m -> {
            return m.lm().logLikelihood(new int[] {1, 2, 3}, new int[] {4, 5}).logProb();
        }));
        LocalSearch.Result r =
                LocalSearch.run(lm, Optimizers.create("random", lm.genome().bounds(), 1, 1), 3);
        for (var e : r.evaluated()) {
            double v = e.objectives()[0];
            assertTrue(Double.isFinite(v) && v < 0, "log-likelihood " + v);
        }
        MergeProblem two = new MergeProblem(linear(), m -> new double[] {1}, 2);
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> LocalSearch.run(
                        two, Optimizers.create("nsga2", two.genome().bounds(), 2, 1), 4));
        assertTrue(e.getMessage().contains("the fitness returned 1 values for 2 objectives"), e.getMessage());
    }
}
