package dev.chimera.search;

import static dev.chimera.search.OptimizerContract.median;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.jenetics.util.RandomRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneticAlgorithmTest {
    private static final Function<double[], double[]> SPHERE = Drive.minimize(Problems::sphere);
    private static final Function<double[], double[]> RASTRIGIN = Drive.minimize(Problems::rastrigin);

    private static Supplier<Optimizer> ga(int dim, String settings, long seed) {
        Config c = ConfigFactory.parseString(settings);
        return () -> Optimizers.create("ga", Bounds.uniform(dim, -5.12, 5.12), 1, seed, c);
    }

    // ---- contract, for both operator sets ----

    @ParameterizedTest
    @ValueSource(
            strings = {
                "population = 12",
                "population = 12, crossover = blend, mutation = gaussian, elitism = 3, survival = generational",
                "population = 12, offspring = 5, eliminate_duplicates = false"
            })
    void restoreThroughJsonIsBitExact(String settings) {
        // cuts inside the first generation, at its end, inside later ones
        OptimizerContract.restoreIsBitExact(ga(4, settings, 9), RASTRIGIN, 5, 300, 1, 7, 12, 33, 150);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "population = 12",
                "population = 12, crossover = blend, mutation = gaussian, elitism = 0, survival = generational"
            })
    void tellOrderDoesNotMatter(String settings) {
        OptimizerContract.tellOrderDoesNotMatter(ga(4, settings, 3), RASTRIGIN, 4, 492); // 41 whole generations of 12
    }

    @Test
    void badTellsAreIgnored() {
        OptimizerContract.badTellsAreIgnored(ga(4, "population = 12", 1), SPHERE);
    }

    @Test
    void askHonoursMaxAndGenerationSizes() {
        OptimizerContract.askHonoursMax(ga(4, "population = 12", 1), SPHERE);
        // generational: the first generation is the whole population; later ones the non-elite slots
        OptimizerContract.generationsAreAskedWhole(
                ga(4, "population = 12, elitism = 2, survival = generational", 1), SPHERE, 12, 10, 10, 10, 10);
        // (mu + lambda): the population, then the offspring
        OptimizerContract.generationsAreAskedWhole(ga(4, "population = 12, offspring = 7", 1), SPHERE, 12, 7, 7, 7, 7);
    }

    @Test
    void concurrentTellsGiveTheSequentialTrajectory() {
        OptimizerContract.threadedGenerationsMatchSequential(ga(6, "population = 40", 5), RASTRIGIN, 10, 4);
    }

    /** All randomness comes from the optimizer's own Rng, whatever Jenetics' registry holds for the thread. */
    @Test
    void independentOfJeneticsAmbientRandom() {
        String plain = OptimizerContract.text(run(ga(5, "population = 10", 4).get(), 300));
        String scoped = RandomRegistry.with(
                new Random(123),
                r -> OptimizerContract.text(run(ga(5, "population = 10", 4).get(), 300)));
        assertEquals(plain, scoped);
        assertNotEquals(
                plain, OptimizerContract.text(run(ga(5, "population = 10", 5).get(), 300)));
    }

    private static Optimizer run(Optimizer opt, long budget) {
        Drive.run(opt, RASTRIGIN, budget, e -> false);
        return opt;
    }

    @Test
    void settingsDefaultsAndValidation() {
        GeneticAlgorithm ga = (GeneticAlgorithm) Optimizers.create("ga", Bounds.uniform(8, 0, 1), 1, 1);
        assertEquals(
                new GeneticAlgorithm.Settings(
                        50, 2, 2, "sbx", 0.9, 15, 0.5, "polynomial", 1.0 / 8, 20, 0.1, "mu+lambda", 50, true),
                ga.settings());
        assertEquals(50, ga.ask(Integer.MAX_VALUE).size());
        OptimizerContract.rejectsBadInput(
                "ga",
                Bounds.uniform(3, -5.12, 5.12),
                1,
                2,
                "population = 1",
                "elitism = 50",
                "elitism = -1",
                "tournament = 1",
                "crossover = uniform",
                "mutation = swap",
                "mutation_probability = 2",
                "gaussian_sigma = 0",
                "survival = steady",
                "offspring = 0");
        Optimizer opt = ga(3, "", 1).get();
        assertThrows(
                SearchException.class, () -> Optimizers.restore(opt.snapshot().put("algorithm", "nsga2")));
    }

    /** The elites carried into a generation are the best of the previous one, ties to the lower id. */
    @Test
    void elitesAreTheBestOfThePreviousGeneration() {
        Optimizer opt = ga(3, "population = 10, elitism = 3, survival = generational", 8)
                .get();
        List<Evaluation> gen0 = new ArrayList<>();
        for (Candidate c : opt.ask(Integer.MAX_VALUE)) {
            // quantised values make ties likely
            double[] y = {-Math.floor(Problems.sphere(c.genes()) / 10)};
            gen0.add(new Evaluation(c, y));
            opt.tell(c.id(), y);
        }
        gen0.sort(Comparator.comparingDouble((Evaluation e) -> -e.objective(0))
                .thenComparingLong(e -> e.candidate().id()));
        List<Long> carried = new ArrayList<>();
        for (JsonNode e : opt.snapshot().get("carried")) {
            carried.add(e.get("id").asLong());
        }
        assertEquals(
                List.of(
                        gen0.get(0).candidate().id(),
                        gen0.get(1).candidate().id(),
                        gen0.get(2).candidate().id()),
                carried);
        assertEquals(gen0.get(0), opt.best().get(0));
    }

    @Test
    void failedEvaluationsNeverWin() {
        Optimizer opt = ga(3, "population = 10", 2).get();
        Drive.run(opt, x -> x[0] > 0 ? new double[] {Double.NaN} : SPHERE.apply(x), 500, e -> false);
        assertTrue(opt.best().get(0).candidate().gene(0) <= 0);
        assertEquals(OptimizerContract.text(opt), OptimizerContract.text(OptimizerContract.roundTrip(opt)));
    }

    @Test
    void zeroWidthGenesStayFixed() {
        Bounds b = new Bounds(new double[] {0, 2, -1}, new double[] {1, 2, 1});
        Optimizer opt = Optimizers.create(
                "ga", b, 1, 1, ConfigFactory.parseString("population = 10, mutation = gaussian, crossover = blend"));
        for (Evaluation e : Drive.run(opt, SPHERE, 300, x -> false)) {
            assertEquals(2.0, e.candidate().gene(1));
        }
    }

    // ---- quality at a fixed budget ----

    static double[] bestValues(String settings, ToDoubleFunction<double[]> f, long budget, int seeds) {
        return OptimizerContract.bestAfter(seed -> ga(10, settings, seed).get(), f, budget, 100, seeds);
    }

    /**
     * 10-D sphere and Rastrigin on [-5.12, 5.12], 10,000 evaluations, defaults (population 50, SBX + polynomial
     * mutation), median of 5 seeds. Random search with this budget gets the sphere only to about 14 (a 10-ball of
     * radius 3.7 holds 1/10,000 of the cube), so 1e-3 means real convergence. Rastrigin's local minima sit near
     * integer points with value about the sum of squared offsets, so a value below 1 means every coordinate is in
     * the global basin.
     */
    @Test
    void defaultsSolveSphereAndRastrigin() {
        double[] sphere = bestValues("", Problems::sphere, 10_000, 5);
        double[] rastrigin = bestValues("", Problems::rastrigin, 10_000, 5);
        System.out.printf(
                "ga(sbx, polynomial) 10-D, 10,000 evaluations: sphere %s median %.3g; rastrigin %s median %.3g%n",
                Arrays.toString(sphere), median(sphere), Arrays.toString(rastrigin), median(rastrigin));
        assertTrue(median(sphere) < 1e-3, "sphere median " + median(sphere));
        assertTrue(median(rastrigin) < 1, "rastrigin median " + median(rastrigin));
    }

    /**
     * BLX-0.5 + Gaussian mutation (sigma 0.1 of the width) converges more slowly, but must still beat random search
     * by orders of magnitude: sphere below 0.1, Rastrigin below 20 (random search: about 14 and 60 at this budget).
     */
    @Test
    void blendAndGaussianMakeProgress() {
        String s = "crossover = blend, mutation = gaussian";
        double[] sphere = bestValues(s, Problems::sphere, 10_000, 5);
        double[] rastrigin = bestValues(s, Problems::rastrigin, 10_000, 5);
        System.out.printf(
                "ga(blend, gaussian) 10-D, 10,000 evaluations: sphere %s median %.3g; rastrigin %s median %.3g%n",
                Arrays.toString(sphere), median(sphere), Arrays.toString(rastrigin), median(rastrigin));
        assertTrue(median(sphere) < 0.1, "sphere median " + median(sphere));
        assertTrue(median(rastrigin) < 20, "rastrigin median " + median(rastrigin));
    }

    /** (mu + lambda): the survivors are the best of parents and children, ties to the lower id; no child repeats a point. */
    @Test
    void muPlusLambdaKeepsTheBestOfParentsAndChildrenAndAsksNoPointTwice() {
        Optimizer opt = ga(3, "population = 6, offspring = 6", 4).get();
        List<Evaluation> all = new ArrayList<>();
        Set<List<Double>> points = new HashSet<>();
        for (int g = 0; g < 6; g++) {
            for (Candidate c : opt.ask(Integer.MAX_VALUE)) {
                double[] y = {-Math.floor(Problems.sphere(c.genes()))};
                all.add(new Evaluation(c, y));
                assertTrue(points.add(Arrays.stream(c.genes()).boxed().toList()), "point asked twice: " + c);
                opt.tell(c.id(), y);
            }
        }
        all.sort(Comparator.comparingDouble((Evaluation e) -> -e.objective(0))
                .thenComparingLong(e -> e.candidate().id()));
        List<Long> survivors = new ArrayList<>();
        for (JsonNode e : opt.snapshot().get("carried")) {
            survivors.add(e.get("id").asLong());
        }
        // the survivors of the last completed generation: the best 6 of every candidate told before it
        long before = opt.ask(Integer.MAX_VALUE).get(0).id();
        List<Long> expected = all.stream()
                .filter(e -> e.candidate().id() < before)
                .limit(6)
                .map(e -> e.candidate().id())
                .toList();
        assertEquals(expected, survivors);
    }

    /** The random-search baselines quoted above, measured. */
    @Test
    void randomSearchBaseline() {
        Rng r = new Rng(1);
        double[] sphere = new double[5];
        double[] rastrigin = new double[5];
        for (int s = 0; s < 5; s++) {
            sphere[s] = Double.MAX_VALUE;
            rastrigin[s] = Double.MAX_VALUE;
            for (int i = 0; i < 10_000; i++) {
                double[] x = new double[10];
                for (int j = 0; j < 10; j++) {
                    x[j] = -5.12 + 10.24 * r.nextDouble();
                }
                sphere[s] = Math.min(sphere[s], Problems.sphere(x));
                rastrigin[s] = Math.min(rastrigin[s], Problems.rastrigin(x));
            }
        }
        System.out.printf(
                "random search 10-D, 10,000 evaluations: sphere median %.3g, rastrigin median %.3g%n",
                median(sphere), median(rastrigin));
        assertTrue(median(sphere) > 5 && median(rastrigin) > 30);
    }
}
