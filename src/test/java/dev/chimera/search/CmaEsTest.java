package dev.chimera.search;

import static dev.chimera.search.OptimizerContract.CORNER;
import static dev.chimera.search.OptimizerContract.CORNER_BOX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * CMA-ES against Hansen's tutorial (arXiv:1604.00772) and pycma 4.5.0 (an independent implementation of the same
 * algorithm), plus the ask/tell contract.
 *
 * <p>Reference numbers (evaluations until the first f &lt; 1e-8, evaluated in ask order, median of seeds 1..11,
 * lambda = 10, same start, sigma0 and bounds; pycma 4.5.0 with its default BoundTransform on [-5, 5]; script outside
 * the repository, see docs/benchmarks.md): 10-D sphere from mean0 = 3 (all coordinates), sigma0 = 1: 1516 (range
 * 1388-1594); 10-D Rosenbrock from mean0 = 0, sigma0 = 0.3: 4874 (4632-5805). pycma's own documentation
 * ({@code cma.fmin2} docstring) asserts fewer than 8000 evaluations for 10-D Rosenbrock from 0.1 with sigma0 = 0.3 to
 * its stricter tolfun termination. The tests require the median within 25 % of pycma's and, as the brief's
 * order-of-magnitude check, below twice the upper literature figure (sphere 1,500, Rosenbrock 7,000). sigma0 = 0.3 on
 * Rosenbrock because larger steps from 0 send a few percent of runs to the local minimum near x_1 = -1 (pycma: 2 of
 * 60 with sigma0 = 1), and every one of the 11 runs must reach the target.
 */
class CmaEsTest extends OptimizerContract.Checks {
    private static final Supplier<Optimizer> MAKE = () ->
            Optimizers.create("cmaes", CORNER_BOX, 1, 42, ConfigFactory.parseString("population = 6, sigma0 = 0.8"));

    CmaEsTest() {
        super(MAKE, CORNER, 4, 600, 1, 5, 6, 7, 100, 233);
    }

    @Test
    void askHonoursMaxAndPartialGenerationsStillAsk() {
        OptimizerContract.askHonoursMax(MAKE, CORNER);
        OptimizerContract.generationsAreAskedWhole(MAKE, CORNER, 6, 6);
    }

    @Test
    void tableOneDefaultsForTenDimensions() {
        CmaEs es = (CmaEs) Optimizers.create("cmaes", Bounds.uniform(10, -5, 5), 1, 1);
        assertEquals(10, es.population(), "lambda = 4 + floor(3 ln 10)");
        // Independent values: pycma 4.5.0 for n = 10 (es.sp.weights, es.sp.weights.mueff), whose negative weights
        // are Table 1's (scaled by alpha_mu^- = 1 + c1 / cmu, so they also pin c1 and cmu).
        assertEquals(3.1672992814107017, es.mueff(), 1e-12);
        double[] pycma = {
            0.456273, 0.270753, 0.162231, 0.085234, 0.02551, -0.080013, -0.221764, -0.344555, -0.452864, -0.54975
        };
        double[] w = es.weights();
        assertArrayEquals(pycma, w, 1e-6);
        double pos = 0;
        for (int i = 0; i < 5; i++) {
            pos += w[i];
        }
        assertEquals(1, pos, 1e-12, "positive weights sum to one");
        assertEquals(0.3 * 10, es.sigma(), 0, "sigma0 = 0.3 x bound width");
        assertArrayEquals(new double[10], es.mean(), "mean0 = centre of the bounds");
        CmaEs passive = (CmaEs) Optimizers.create(
                "cmaes", Bounds.uniform(10, -5, 5), 1, 1, ConfigFactory.parseString("active = false"));
        assertEquals(0, passive.weights()[9]);
    }

    @Test
    void sphere10dReachesTargetLikePycma() {
        Config s = ConfigFactory.parseString("sigma0 = 1, mean0 = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]");
        double median = runSeeds("sphere", Problems::sphere, s, 20_000);
        assertTrue(median < 2 * 1_500, "median " + median + " not below twice the literature's 1,500");
        assertEquals(1516, median, 0.25 * 1516, "median far from pycma's 1516");
    }

    @Test
    void rosenbrock10dReachesTargetLikePycma() {
        Config s = ConfigFactory.parseString("sigma0 = 0.3, mean0 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]");
        double median = runSeeds("rosenbrock", Problems::rosenbrock, s, 50_000);
        assertTrue(median < 2 * 7_000, "median " + median + " not below twice the literature's 7,000");
        assertEquals(4874, median, 0.25 * 4874, "median far from pycma's 4874");
    }

    /** 11 seeds on [-5, 5]^10 to f &lt; 1e-8; every run must reach it. Returns the median evaluations. */
    private static double runSeeds(String name, ToDoubleFunction<double[]> f, Config settings, long budget) {
        double[] evals = OptimizerContract.evaluationsToTarget(
                seed -> Optimizers.create("cmaes", Bounds.uniform(10, -5, 5), 1, seed, settings),
                f,
                1e-8,
                budget,
                1,
                11);
        double median = OptimizerContract.median(evals);
        System.out.printf(
                "cmaes %s 10-D: evaluations to 1e-8 median %.0f, all %s%n", name, median, Arrays.toString(evals));
        return median;
    }

    @Test
    void convergesToAnOptimumOnTheBoundary() {
        Optimizer opt = Optimizers.create("cmaes", CORNER_BOX, 1, 3);
        List<Evaluation> all = Drive.run(opt, CORNER, 3000, e -> false);
        for (Evaluation e : all) {
            assertTrue(CORNER_BOX.contains(e.candidate().genes()));
        }
        double best = opt.best().get(0).objective(0);
        assertEquals(-4, best, 1e-10, "the corner (1,1,1,1) has f = -4");
        CmaEs es = (CmaEs) opt;
        for (double m : es.mean()) {
            assertEquals(1, m, 1e-3, "the mean settles at the bound");
        }
    }

    @Test
    void smallestProblemsWork() {
        for (int lambda = 2; lambda <= 4; lambda++) {
            Optimizer opt = Optimizers.create(
                    "cmaes", Bounds.uniform(1, -3, 3), 1, lambda, ConfigFactory.parseString("population = " + lambda));
            Drive.run(opt, x -> new double[] {-(x[0] - 1) * (x[0] - 1)}, 3000, e -> false);
            assertEquals(1, opt.best().get(0).candidate().gene(0), 1e-6, "lambda = " + lambda);
        }
    }

    @Test
    void nanResultsRankLastAndAreNeverBest() {
        Optimizer opt = Optimizers.create("cmaes", Bounds.uniform(3, -5, 5), 1, 9);
        Function<double[], double[]> f = x -> new double[] {x[0] > 0 ? Double.NaN : -Problems.sphere(x)};
        Drive.run(opt, f, 2000, e -> false);
        Evaluation best = opt.best().get(0);
        assertFalse(Double.isNaN(best.objective(0)));
        assertTrue(best.objective(0) > -1e-6, "still converges next to the NaN region: " + best.objective(0));
        String text = OptimizerContract.text(opt);
        assertEquals(text, OptimizerContract.text(OptimizerContract.roundTrip(opt)));
    }

    /**
     * Past convergence (sigma * sqrt(max C_ii) under pycma's tolx, 1e-11) the distribution restarts around its mean
     * instead of shrinking to nothing: a 10,000-evaluation budget on a 4-gene sphere (what a run with a large budget
     * does) keeps asking finite, distinct points and keeps the optimum.
     */
    @Test
    void restartsAfterConvergenceInsteadOfDegenerating() {
        CmaEs es = (CmaEs) Optimizers.create(
                "cmaes", Bounds.uniform(4, -1, 1), 1, 5, ConfigFactory.parseString("population = 100"));
        Function<double[], double[]> f =
                x -> new double[] {-Problems.sphere(new double[] {x[0] - 0.3, x[1] - 0.3, x[2] - 0.3, x[3] - 0.3})};
        List<Evaluation> all = Drive.run(es, f, 10_000, e -> false);
        assertEquals(10_000, all.size());
        for (Evaluation e : all) {
            for (double g : e.candidate().genes()) {
                assertTrue(
                        Double.isFinite(g),
                        "a gene is not finite: " + Arrays.toString(e.candidate().genes()));
            }
        }
        assertTrue(es.restarts() > 0, "no restart in 10,000 evaluations");
        assertTrue(
                es.best().get(0).objective(0) > -1e-18,
                "best " + es.best().get(0).objective(0));
        assertTrue(es.sigma() > 0 && Double.isFinite(es.sigma()));
    }

    @Test
    void rejectsBadSettings() {
        OptimizerContract.rejectsBadInput(
                "cmaes",
                Bounds.uniform(3, 0, 1),
                1,
                2,
                "population = 1",
                "sigma0 = 0",
                "mean0 = [0.5, 0.5]",
                "mean0 = [0.5, 0.5, 2]");
    }

    @Test
    void jacobiMatchesKnownEigenvalues() {
        // Second-difference matrix tridiag(-1, 2, -1): eigenvalues 2 - 2 cos(k pi / (n + 1)), k = 1..n.
        int n = 9;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            a[i][i] = 2;
            if (i > 0) {
                a[i][i - 1] = -1;
                a[i - 1][i] = -1;
            }
        }
        double[][] v = new double[n][n];
        double[] ev = new double[n];
        CmaEs.eigen(a, v, ev);
        double[] expected = new double[n];
        for (int k = 1; k <= n; k++) {
            expected[k - 1] = 2 - 2 * Math.cos(k * Math.PI / (n + 1));
        }
        double[] got = ev.clone();
        Arrays.sort(got);
        assertArrayEquals(expected, got, 1e-13);
        assertDecomposes(a, v, ev);

        // An ill-conditioned covariance (eigenvalues 1e-8 .. 1e4) in a random basis.
        Rng rng = new Rng(5);
        int m = 12;
        double[][] q = randomOrthogonal(m, rng);
        double[] lam = new double[m];
        for (int i = 0; i < m; i++) {
            lam[i] = Math.pow(10, -8 + 12.0 * i / (m - 1));
        }
        double[][] c = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                for (int k = 0; k < m; k++) {
                    c[i][j] += q[i][k] * lam[k] * q[j][k];
                }
            }
        }
        double[][] w = new double[m][m];
        double[] e = new double[m];
        CmaEs.eigen(c, w, e);
        double[] sorted = e.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < m; i++) {
            assertEquals(lam[i], sorted[i], 1e-4 * lam[i] + 1e-15, "eigenvalue " + i);
        }
        assertDecomposes(c, w, e);
    }

    private static void assertDecomposes(double[][] a, double[][] v, double[] ev) {
        int n = a.length;
        double scale = 0;
        for (double x : ev) {
            scale = Math.max(scale, Math.abs(x));
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double vtv = 0;
                double av = 0;
                for (int k = 0; k < n; k++) {
                    vtv += v[k][i] * v[k][j];
                    av += a[i][k] * v[k][j];
                }
                assertEquals(i == j ? 1 : 0, vtv, 1e-13, "V^T V = I");
                assertEquals(ev[j] * v[i][j], av, 1e-12 * scale, "A V = V Lambda");
            }
        }
    }

    /** Gram-Schmidt on Gaussian vectors. */
    private static double[][] randomOrthogonal(int n, Rng rng) {
        double[][] q = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[] col = new double[n];
            for (int i = 0; i < n; i++) {
                col[i] = rng.nextGaussian();
            }
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += col[i] * q[i][k];
                }
                for (int i = 0; i < n; i++) {
                    col[i] -= dot * q[i][k];
                }
            }
            double norm = 0;
            for (double x : col) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                q[i][j] = col[i] / norm;
            }
        }
        return q;
    }
}
