package dev.chimera.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AccuracyEstimatorTest {
    private static final SyntheticIrt DATA = SyntheticIrt.generate(60, 0, 300, 2, 3);
    private static final IrtModel FIT = IrtModel.fit(DATA.matrix, IrtConfig.defaults());
    private static final Calibration CAL = Calibration.compute(DATA.matrix, IrtConfig.defaults());
    private static final double[][] PARENTS = {FIT.referenceTheta(0), FIT.referenceTheta(1)};

    @Test
    void formulasOnAHandExample() {
        // 4 items, IRT with a = 0 so that P_j = sigmoid(-b_j) whatever theta
        double[][] a = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
        double[] b = {0, 0, -Math.log(3), Math.log(3)}; // P = 0.5, 0.5, 0.75, 0.25
        IrtModel irt = IrtModel.of(a, b, new double[][] {{0, 0}, {1, 1}});
        Selection sel = new Selection("anchor", new int[] {0, 1}, new double[] {0.25, 0.75});
        AccuracyEstimator est =
                new AccuracyEstimator(irt, sel, new Calibration(0.1, 0.2), AccuracyEstimator.Options.defaults(), 4);
        double[] y = {1, 0};
        assertEquals(0.5, est.estimate("mean", y, null), 1e-12);
        assertEquals(0.25, est.estimate("weighted", y, null), 1e-12);
        assertEquals(0.25, est.estimate("irt", y, null), 1e-12);
        assertEquals(0.5, est.estimate("irt-model", y, null), 1e-12);
        // pirt = (2/4) * mean + (2/4) * mean(P_2, P_3) = 0.5*0.5 + 0.5*0.5
        assertEquals(0.5, est.estimate("pirt", y, null), 1e-12);
        // anchor lambda = b^2 / (b^2 + v / (4 n)) = 0.01 / (0.01 + 0.2/8)
        double g = 0.01 / (0.01 + 0.2 / 8);
        assertEquals(g, est.gpirtLambda(), 1e-12);
        assertEquals(g * 0.25 + (1 - g) * 0.5, est.estimate("gpirt", y, null), 1e-12);
        double[][] parents = {{1, 0}, {0, 1}};
        // mpirt = (2/4) * weighted + (2/4) * 0.5
        assertEquals(0.5 * 0.25 + 0.5 * 0.5, est.estimate("mpirt", y, parents), 1e-12);
        assertEquals(0.5 * 0.25 + 0.5 * 0.375, est.estimate("gmpirt", y, parents), 1e-12);
        assertEquals(g * 0.25 + (1 - g) * 0.375, est.estimate("gmpirt-auto", y, parents), 1e-12);
        assertEquals(0.01 / (0.01 + 0.2 / 2), new Calibration(0.1, 0.2).lambda(2, "random"), 1e-12);
        assertThrows(EstimateException.class, () -> est.estimate("nope", y, null));
        assertThrows(EstimateException.class, () -> est.estimate("mean", new double[] {1}, null));
        assertThrows(EstimateException.class, () -> est.estimate("mpirt", y, null));
    }

    @Test
    void degenerateAnswersGiveFiniteEstimatesInUnitInterval() {
        int[][] subsets = {{7}, {4, 4, 4, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10, 10, 11}};
        for (int[] items : subsets) {
            for (double v : new double[] {0, 1}) {
                double[] y = new double[items.length];
                Arrays.fill(y, v);
                for (boolean simplex : new boolean[] {false, true}) {
                    AccuracyEstimator est = new AccuracyEstimator(
                            FIT,
                            Selection.uniform("random", items),
                            CAL,
                            new AccuracyEstimator.Options(simplex, 1.0, 0.5),
                            DATA.matrix.items());
                    for (String m : Estimators.names()) {
                        double e = est.estimate(m, y, PARENTS);
                        assertTrue(
                                Double.isFinite(e) && e >= 0 && e <= 1,
                                m + " on " + Arrays.toString(items) + " = " + e);
                    }
                }
            }
        }
        // every item seen: p-IRT is the data part alone
        int[] all = new int[DATA.matrix.items()];
        for (int j = 0; j < all.length; j++) {
            all[j] = j;
        }
        AccuracyEstimator est = new AccuracyEstimator(
                FIT, Selection.uniform("random", all), CAL, AccuracyEstimator.Options.defaults(), all.length);
        double[] y = DATA.matrix.row(0);
        assertEquals(DATA.matrix.accuracy(0), est.estimate("pirt", y, null), 1e-12);
    }

    @Test
    void calibrationIsSensible() {
        assertTrue(CAL.bias() > 0 && CAL.bias() < 0.1, "b = " + CAL.bias());
        assertTrue(CAL.variance() > 0 && CAL.variance() <= 0.25, "v = " + CAL.variance());
        double l10 = CAL.lambda(10, "random");
        double l100 = CAL.lambda(100, "random");
        assertTrue(l10 < l100, "lambda grows with n: " + l10 + " " + l100);
        assertTrue(CAL.lambda(10, "anchor-irt") > l10, "anchors are trusted more");
    }

    @Test
    void selectionsAreSeededValidAndWeighted() {
        ItemSelector sel = new ItemSelector(DATA.matrix, FIT, 2);
        for (String kind : ItemSelector.kinds()) {
            for (int n : new int[] {1, 7, 30}) {
                Selection s = sel.select(kind, n, 9);
                assertEquals(s, sel.select(kind, n, 9), kind + " deterministic");
                assertEquals(n, s.size());
                assertEquals(n, s.distinct(DATA.matrix.items()), kind + " distinct items");
                assertEquals(1.0, Arrays.stream(s.weights()).sum(), 1e-9, kind + " weights");
                for (int j : s.items()) {
                    assertTrue(j >= 0 && j < DATA.matrix.items());
                }
            }
        }
        assertTrue(!sel.select("random", 30, 1).equals(sel.select("random", 30, 2)), "seed matters");
        assertThrows(EstimateException.class, () -> sel.select("random", 0, 1));
        assertThrows(EstimateException.class, () -> sel.select("magic", 5, 1));
        assertThrows(EstimateException.class, () -> new ItemSelector(DATA.matrix, null, 1).select("anchor-irt", 5, 1));
    }

    @Test
    void anchorWeightsAreClusterSizes() {
        // two groups of identical item columns: 3 items always right, 1 item always wrong -> two anchors 3/4, 1/4
        int[][] y = new int[5][4];
        for (int[] row : y) {
            row[0] = 1;
            row[1] = 1;
            row[2] = 1;
        }
        ResponseMatrix m = ResponseMatrix.of(y);
        Selection s = new ItemSelector(m, null, 3).select("anchor", 2, 1);
        double wRight = 0;
        double wWrong = 0;
        for (int k = 0; k < 2; k++) {
            if (s.items()[k] == 3) {
                wWrong += s.weights()[k];
            } else {
                wRight += s.weights()[k];
            }
        }
        assertEquals(0.75, wRight, 1e-12);
        assertEquals(0.25, wWrong, 1e-12);
    }
}
