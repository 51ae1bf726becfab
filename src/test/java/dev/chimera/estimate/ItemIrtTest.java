package dev.chimera.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** gp-IRT on named items, fitted to reference rows drawn from a known 2PL model. */
class ItemIrtTest {
    private static final int ITEMS = 300;

    /** Items with discrimination in [0.5, 2] and difficulty N(0, 1.5^2), from a fixed seed. */
    private static final double[] A = new double[ITEMS];

    private static final double[] B = new double[ITEMS];
    private static final List<String> IDS = new ArrayList<>();

    static {
        SplittableRandom rng = new SplittableRandom(11);
        for (int j = 0; j < ITEMS; j++) {
            A[j] = 0.5 + 1.5 * rng.nextDouble();
            B[j] = 1.5 * rng.nextGaussian();
            IDS.add("q" + j);
        }
    }

    /** A model of ability {@code theta}: one draw of its answer to every item. */
    private static Map<String, Integer> answers(double theta, SplittableRandom rng) {
        Map<String, Integer> y = new LinkedHashMap<>();
        for (int j = 0; j < ITEMS; j++) {
            double p = 1 / (1 + Math.exp(-(A[j] * theta - B[j])));
            y.put(IDS.get(j), rng.nextDouble() < p ? 1 : 0);
        }
        return y;
    }

    private static double accuracy(Map<String, Integer> y) {
        return y.values().stream().mapToInt(Integer::intValue).average().orElseThrow();
    }

    @Test
    void learntItemsEstimateNewModelsBetterThanTheMeanOfTheirAnswers() {
        SplittableRandom rng = new SplittableRandom(5);
        List<Map<String, Integer>> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            rows.add(answers(rng.nextGaussian(), rng));
        }
        ItemIrt fit = ItemIrt.fit(IDS, rows, IrtConfig.defaults());
        assertEquals(30, fit.rows());
        // 200 new models, each answering the same 20 items (a first rung): the fit knows those items' difficulty
        double irtError = 0;
        double meanError = 0;
        for (int m = 0; m < 200; m++) {
            Map<String, Integer> all = answers(rng.nextGaussian(), rng);
            Map<String, Integer> seen = new LinkedHashMap<>();
            IDS.subList(0, 20).forEach(q -> seen.put(q, all.get(q)));
            irtError += Math.abs(fit.estimate(seen) - accuracy(all)) / 200;
            meanError += Math.abs(accuracy(seen) - accuracy(all)) / 200;
        }
        // the mean of 20 answers has a standard error of ~0.1; knowing the items takes a good part of it away (pure
        // Java
        // arithmetic: the same numbers on every CPU; measured 0.058 vs 0.070)
        assertTrue(irtError < 0.9 * meanError, "gp-IRT " + irtError + " vs mean " + meanError);
    }

    @Test
    void answersToEveryItemAreTheirAccuracy() {
        SplittableRandom rng = new SplittableRandom(6);
        List<Map<String, Integer>> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(answers(rng.nextGaussian(), rng));
        }
        Map<String, Integer> all = answers(0.3, rng);
        assertEquals(accuracy(all), ItemIrt.fit(IDS, rows, IrtConfig.defaults()).estimate(all), 1e-12);
    }

    @Test
    void badInputIsNamed() {
        SplittableRandom rng = new SplittableRandom(7);
        List<Map<String, Integer>> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(answers(0, rng));
        }
        assertTrue(assertThrows(EstimateException.class, () -> ItemIrt.fit(IDS, rows, IrtConfig.defaults()))
                .getMessage()
                .contains("at least 5 reference rows, got 4"));
        Map<String, Integer> partial = new LinkedHashMap<>(answers(0, rng));
        partial.remove("q7");
        rows.add(partial);
        assertTrue(assertThrows(EstimateException.class, () -> ItemIrt.fit(IDS, rows, IrtConfig.defaults()))
                .getMessage()
                .contains("reference row 4 has no answer to item 'q7'"));
        rows.set(4, answers(0, rng));
        ItemIrt fit = ItemIrt.fit(IDS, rows, IrtConfig.defaults());
        assertTrue(assertThrows(EstimateException.class, () -> fit.estimate(Map.of("nope", 1)))
                .getMessage()
                .contains("item 'nope' is not one of the fitted items"));
        assertThrows(EstimateException.class, () -> fit.estimate(Map.of()));
    }
}
