package dev.chimera.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Properties of the variation operators that follow from their published definitions. */
class GeneticAlgorithmOperatorsTest {
    private static final int N = 200_000;

    /**
     * Deb &amp; Agrawal 1995: SBX children are symmetric about the parents' mean, (c1 + c2) / 2 = (x1 + x2) / 2, and the
     * spread factor beta = |c2 - c1| / |x2 - x1| has density 0.5 (eta + 1) beta^eta on [0, 1] and
     * 0.5 (eta + 1) / beta^(eta + 2) above, so P(beta &lt;= 1) = 1/2 and E[beta | beta &lt;= 1] = (eta + 1) / (eta + 2).
     * Far from the bounds the bounded variant is the same distribution.
     */
    @Test
    void sbxFarFromBoundsMatchesTheSpreadDistribution() {
        Rng r = new Rng(1);
        double eta = 15;
        int contracting = 0;
        double sumContracting = 0;
        for (int i = 0; i < N; i++) {
            double[] c = GeneticAlgorithmOperators.sbx(-0.5, 0.5, -1e6, 1e6, eta, r);
            assertEquals(0.0, (c[0] + c[1]) / 2, 1e-9);
            double beta = Math.abs(c[1] - c[0]);
            if (beta <= 1) {
                contracting++;
                sumContracting += beta;
            }
        }
        assertEquals(0.5, contracting / (double) N, 0.005);
        assertEquals((eta + 1) / (eta + 2), sumContracting / contracting, 0.002);
    }

    @Test
    void sbxNearBoundsStaysInsideAndKeepsEqualParents() {
        Rng r = new Rng(2);
        for (int i = 0; i < N; i++) {
            double x1 = r.nextDouble();
            double x2 = r.nextDouble() * 1e-3;
            double[] c = GeneticAlgorithmOperators.sbx(x1, x2, 0, 1, 2, r);
            assertTrue(c[0] >= 0 && c[0] <= 1 && c[1] >= 0 && c[1] <= 1);
        }
        assertArrayEquals(new double[] {0.3, 0.3}, GeneticAlgorithmOperators.sbx(0.3, 0.3, 0, 1, 15, r));
        assertArrayEquals(new double[] {2, 2}, GeneticAlgorithmOperators.sbx(2, 2, 2, 2, 15, r));
    }

    /**
     * Polynomial mutation (Deb &amp; Goyal 1996): perturbation delta in [-1, 1] with density 0.5 (eta + 1)(1 - |delta|)^eta,
     * so E|delta| = 1 / (eta + 2) and it is symmetric; at the centre of [0, 1] the bounded variant differs from this
     * by less than 2^-(eta + 1).
     */
    @Test
    void polynomialMutationAtTheCentreMatchesItsDistribution() {
        Rng r = new Rng(3);
        double eta = 20;
        double sumAbs = 0;
        int up = 0;
        for (int i = 0; i < N; i++) {
            double y = GeneticAlgorithmOperators.polynomial(0.5, 0, 1, eta, r);
            assertTrue(y >= 0 && y <= 1);
            sumAbs += Math.abs(y - 0.5);
            up += y > 0.5 ? 1 : 0;
        }
        assertEquals(1 / (eta + 2), sumAbs / N, 0.0005);
        assertEquals(0.5, up / (double) N, 0.005);
    }

    @Test
    void polynomialMutationAtABoundStaysInside() {
        Rng r = new Rng(4);
        for (int i = 0; i < N; i++) {
            double y = GeneticAlgorithmOperators.polynomial(i % 2 == 0 ? 0 : 1, 0, 1, 5, r);
            assertTrue(y >= 0 && y <= 1);
        }
        assertEquals(3.0, GeneticAlgorithmOperators.polynomial(3, 3, 3, 20, r));
    }

    /** BLX-alpha: uniform on [min - alpha d, max + alpha d]; mean at the parents' midpoint, variance (1 + 2 alpha)^2 d^2 / 12. */
    @Test
    void blendIsUniformOnTheExtendedInterval() {
        Rng r = new Rng(5);
        double alpha = 0.5;
        double sum = 0;
        double sumSq = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (int i = 0; i < N; i++) {
            double c = GeneticAlgorithmOperators.blend(1, 3, -100, 100, alpha, r);
            sum += c;
            sumSq += c * c;
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        double mean = sum / N;
        assertEquals(2, mean, 0.01);
        assertEquals(4.0 / 12 * 4, sumSq / N - mean * mean, 0.02);
        assertTrue(min >= 0 && min < 0.01 && max <= 4 && max > 3.99);
        assertEquals(0.0, GeneticAlgorithmOperators.blend(-0.2, -0.1, 0, 1, alpha, r));
    }

    @Test
    void gaussianHasTheRequestedSigma() {
        Rng r = new Rng(6);
        double sumSq = 0;
        for (int i = 0; i < N; i++) {
            double d = GeneticAlgorithmOperators.gaussian(0, -100, 100, 0.3, r);
            sumSq += d * d;
        }
        assertEquals(0.09, sumSq / N, 0.002);
        Rng q = new Rng(7);
        for (int i = 0; i < 1000; i++) {
            double y = GeneticAlgorithmOperators.gaussian(0.99, 0, 1, 100, q);
            assertTrue(y >= 0 && y <= 1);
        }
    }

    @Test
    void rankableOrdersNanLastAndMergesSignedZeros() {
        assertEquals(Double.NEGATIVE_INFINITY, GeneticAlgorithmOperators.rankable(Double.NaN));
        assertEquals(0, Double.compare(0.0, GeneticAlgorithmOperators.rankable(-0.0)));
    }
}
