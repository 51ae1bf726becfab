package dev.chimera.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Uniform random search: the contract, and its best values checked against order statistics rather than a run of
 * this code. For the 10-D sphere on [-5, 5]^10, P(f &lt; t) = V10 t^5 / 10^10 with V10 = pi^5 / 120 (ball inside the
 * cube for t &lt;= 25), so after N = 10,000 samples the median best value is t with 1 - (1 - P)^N = 1/2: t = 12.2.
 */
class RandomSearchTest extends OptimizerContract.Checks {
    private static final Bounds BOX = Bounds.uniform(4, -1, 1);
    private static final Function<double[], double[]> F = x -> new double[] {-Problems.rastrigin(x)};
    private static final Supplier<Optimizer> MAKE =
            () -> Optimizers.create("random", BOX, 1, 42, ConfigFactory.parseString("batch = 5"));
    private static final LongFunction<Optimizer> TEN_D =
            seed -> Optimizers.create("random", Bounds.uniform(10, -5, 5), 1, seed);

    RandomSearchTest() {
        super(MAKE, F, 3, 500, 1, 4, 5, 6, 100, 233);
    }

    @Test
    void askHonoursMaxAndTheBatchLimit() {
        OptimizerContract.askHonoursMax(MAKE, F);
        Optimizer opt = Optimizers.create("random", BOX, 1, 1);
        List<Candidate> first = opt.ask(Integer.MAX_VALUE);
        assertEquals(16, first.size(), "default batch");
        assertTrue(opt.ask(Integer.MAX_VALUE).isEmpty(), "at most batch candidates out at once");
        assertTrue(opt.tell(first.get(3).id(), F.apply(first.get(3).genes())));
        assertEquals(1, opt.ask(Integer.MAX_VALUE).size());
    }

    @Test
    void sphere10dMatchesOrderStatistics() {
        double[] best = OptimizerContract.bestAfter(TEN_D, Problems::sphere, 10_000, 1, 11);
        double median = OptimizerContract.median(best);
        System.out.printf(
                "random sphere 10-D: best after 10,000 evaluations median %.4g, all %s%n",
                median, Arrays.toString(best));
        // Per run P(best < 8) = 0.08 and P(best > 18) = 0.008, so the median of 11 leaves [8, 18] with p < 1e-3.
        assertTrue(median > 8 && median < 18, "median best " + median + ", theory 12.2");
    }

    @Test
    void rastrigin10dReported() {
        double[] best = OptimizerContract.bestAfter(TEN_D, Problems::rastrigin, 10_000, 1, 11);
        double median = OptimizerContract.median(best);
        System.out.printf(
                "random rastrigin 10-D: best after 10,000 evaluations median %.4g, all %s%n",
                median, Arrays.toString(best));
        // Sanity only: a single uniform point has E f = 100 + 10 * 25/3 = 183.
        assertTrue(median > 0 && median < 183, "median best " + median);
    }

    @Test
    void samplesAreUniformInTheBounds() {
        Bounds b = new Bounds(new double[] {-5, 0, 2}, new double[] {5, 1, 2});
        Optimizer opt = Optimizers.create("random", b, 1, 11, ConfigFactory.parseString("batch = 100"));
        int n = 20_000;
        double[] sum = new double[3];
        double[] sum2 = new double[3];
        for (int k = 0; k < n / 100; k++) {
            for (Candidate c : opt.ask(Integer.MAX_VALUE)) {
                assertTrue(b.contains(c.genes()));
                for (int j = 0; j < 3; j++) {
                    sum[j] += c.gene(j);
                    sum2[j] += c.gene(j) * c.gene(j);
                }
                opt.tell(c.id(), new double[] {0});
            }
        }
        double[] mean = {0, 0.5, 2};
        double[] var = {100 / 12.0, 1 / 12.0, 0};
        for (int j = 0; j < 3; j++) {
            double m = sum[j] / n;
            double v = sum2[j] / n - m * m;
            // 5 standard errors: sd(mean) = sqrt(var / n); sd(var) ~ sqrt(0.8 var^2 / n) for a uniform.
            assertEquals(mean[j], m, 5 * Math.sqrt(var[j] / n) + 1e-12, "mean of gene " + j);
            assertEquals(var[j], v, 5 * Math.sqrt(0.8 * var[j] * var[j] / n) + 1e-12, "variance of gene " + j);
        }
        assertEquals(n / 100, opt.generation(), "generation = evaluations / batch");
    }

    @Test
    void badSettings() {
        OptimizerContract.rejectsBadInput("random", BOX, 1, 2, "batch = 0");
    }
}
