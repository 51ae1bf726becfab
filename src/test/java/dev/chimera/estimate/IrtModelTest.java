package dev.chimera.estimate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IrtModelTest {
    private static final SyntheticIrt DATA = SyntheticIrt.generate(80, 0, 400, 2, 11);
    private static final IrtModel FIT = IrtModel.fit(DATA.matrix, IrtConfig.defaults());

    private static double trueP(int i, int j) {
        double z = -DATA.b[j];
        for (int k = 0; k < 2; k++) {
            z += DATA.a[j][k] * DATA.theta[i][k];
        }
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void recoversTheGeneratingProbabilities() {
        // the fitted P_ij agree with the generating model's (parameters themselves are identified only up to rotation)
        double err = 0;
        double base = 0;
        int c = 0;
        double accErr = 0;
        double accMax = 0;
        double empErr = 0;
        for (int i = 0; i < DATA.matrix.models(); i++) {
            double truthAcc = 0;
            for (int j = 0; j < DATA.matrix.items(); j++) {
                double t = trueP(i, j);
                err += Math.abs(FIT.probability(j, FIT.referenceTheta(i)) - t);
                base += Math.abs(0.5 - t);
                truthAcc += t;
                c++;
            }
            truthAcc /= DATA.matrix.items();
            double d = Math.abs(truthAcc - FIT.meanProbability(FIT.referenceTheta(i)));
            accErr += d / DATA.matrix.models();
            accMax = Math.max(accMax, d);
            empErr += Math.abs(DATA.matrix.accuracy(i) - FIT.meanProbability(FIT.referenceTheta(i)))
                    / DATA.matrix.models();
        }
        // expected accuracy under the generating model vs under the fit (400 items: sampling noise sd ~ 0.02)
        assertTrue(accErr < 0.03, "mean |acc_fit - acc_true| = " + accErr);
        assertTrue(accMax < 0.08, "max |acc_fit - acc_true| = " + accMax);
        // and it reproduces the observed accuracies closely
        assertTrue(empErr < 0.015, "mean |acc_fit - acc_observed| = " + empErr);
        System.out.printf(
                "IRT recovery: mean |P_fit - P_true| = %.4f, mean |acc_fit - acc_true| = %.4f (max %.4f), "
                        + "mean |acc_fit - acc_observed| = %.4f%n",
                err / c, accErr, accMax, empErr);
        assertTrue(err / c < 0.12, "mean |P_fit - P_true| = " + err / c + " (vs " + base / c + " for 0.5)");
        assertTrue(FIT.iterations() < IrtConfig.defaults().maxIterations(), "converged");
    }

    @Test
    void fitsAbilityFromASubset() {
        int[] items = new int[100];
        for (int k = 0; k < 100; k++) {
            items[k] = 3 * k;
        }
        double errSum = 0;
        for (int i = 0; i < 20; i++) {
            double[] y = new double[items.length];
            for (int k = 0; k < items.length; k++) {
                y[k] = DATA.matrix.get(i, items[k]);
            }
            double[] th = FIT.fitTheta(items, y);
            errSum += Math.abs(FIT.meanProbability(th) - FIT.meanProbability(FIT.referenceTheta(i)));
        }
        assertTrue(errSum / 20 < 0.05, "mean error " + errSum / 20);
    }

    @Test
    void degenerateSubsetsGiveFiniteAbilities() {
        int[][] subsets = {{0}, {5, 5, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}};
        for (int[] items : subsets) {
            for (double v : new double[] {0, 1}) {
                double[] y = new double[items.length];
                Arrays.fill(y, v);
                double[] th = FIT.fitTheta(items, y);
                for (double t : th) {
                    assertTrue(Double.isFinite(t), Arrays.toString(th));
                }
                double p = FIT.meanProbability(th);
                assertTrue(p >= 0 && p <= 1);
                double[][] parents = {FIT.referenceTheta(0), FIT.referenceTheta(1)};
                for (boolean simplex : new boolean[] {false, true}) {
                    double[] lambda = FIT.fitMixture(items, y, parents, simplex, 1.0);
                    for (double l : lambda) {
                        assertTrue(Double.isFinite(l), Arrays.toString(lambda));
                    }
                    if (simplex) {
                        assertEquals(1.0, lambda[0] + lambda[1], 1e-9);
                        assertTrue(lambda[0] >= 0 && lambda[1] >= 0);
                    }
                }
            }
        }
    }

    @Test
    void sameSeedSameFitDifferentSeedDifferentStart() {
        IrtModel again = IrtModel.fit(DATA.matrix, IrtConfig.defaults());
        for (int j = 0; j < DATA.matrix.items(); j++) {
            assertArrayEquals(FIT.a(j), again.a(j));
            assertEquals(FIT.b(j), again.b(j));
        }
        for (int i = 0; i < DATA.matrix.models(); i++) {
            assertArrayEquals(FIT.referenceTheta(i), again.referenceTheta(i));
        }
        assertEquals(FIT.iterations(), again.iterations());
    }

    @Test
    void mixtureRecoversAMergeLikeAbility() {
        // a merge-like model of reference models 0 and 1 with weights (0.3, 0.7) answers every item with P_j(theta)
        double[][] parents = {FIT.referenceTheta(0), FIT.referenceTheta(1)};
        double[] th = IrtModel.combine(new double[] {0.3, 0.7}, parents);
        int n = DATA.matrix.items();
        int[] items = new int[n];
        double[] y = new double[n];
        SplittableRandom rng = new SplittableRandom(5);
        for (int j = 0; j < n; j++) {
            items[j] = j;
            y[j] = rng.nextDouble() < FIT.probability(j, th) ? 1 : 0;
        }
        double[] lambda = FIT.fitMixture(items, y, parents, true, 1e-3);
        double[] fitted = IrtModel.combine(lambda, parents);
        assertEquals(FIT.meanProbability(th), FIT.meanProbability(fitted), 0.03);
    }

    @Test
    void simplexProjection() {
        double[] v = {0.8, 0.9, -1};
        IrtModel.projectSimplex(v);
        assertArrayEquals(new double[] {0.45, 0.55, 0}, v, 1e-12);
        double[] w = {0.2, 0.3};
        IrtModel.projectSimplex(w);
        assertArrayEquals(new double[] {0.45, 0.55}, w, 1e-12);
    }
}
