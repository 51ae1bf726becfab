package dev.chimera.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PairedBootstrapTest {
    @Test
    void identicalAnswersGiveAPointInterval() {
        int[] a = {1, 0, 1, 1, 0};
        PairedBootstrap.Interval i = PairedBootstrap.of(a, a, 500, 0.95, 1);
        assertEquals(0, i.difference());
        assertEquals(0, i.low());
        assertEquals(0, i.high());
        assertFalse(i.above());
    }

    @Test
    void theIntervalMatchesTheNormalApproximationOfThePairedDifference() {
        // 600 items: the first model is right on 30 items the second misses and wrong on 12 it gets, same elsewhere
        int n = 600;
        int[] a = new int[n];
        int[] b = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = b[i] = i % 3 == 0 ? 1 : 0;
        }
        for (int i = 0; i < 30; i++) {
            a[3 * i + 1] = 1;
        }
        for (int i = 0; i < 12; i++) {
            a[3 * (i + 100)] = 0;
        }
        PairedBootstrap.Interval iv = PairedBootstrap.of(a, b, 20_000, 0.95, 7);
        double mean = (30 - 12) / 600.0;
        // d is +1 on 30 items, -1 on 12: variance E[d^2] - mean^2, standard error sqrt(var / n)
        double se = Math.sqrt((42 / 600.0 - mean * mean) / n);
        assertEquals(mean, iv.difference(), 1e-15);
        assertEquals(mean - 1.96 * se, iv.low(), 0.25 * se);
        assertEquals(mean + 1.96 * se, iv.high(), 0.25 * se);
        assertTrue(iv.above(), "+18 items of 600 with 42 disagreements is clearly above 0");
        // deterministic per seed
        assertEquals(iv, PairedBootstrap.of(a, b, 20_000, 0.95, 7));
    }

    @Test
    void quantilesInterpolateAsNumpyDoes() {
        double[] s = {1, 2, 4, 8};
        assertEquals(1, PairedBootstrap.quantile(s, 0));
        assertEquals(8, PairedBootstrap.quantile(s, 1));
        // h = 3 * 0.5 = 1.5: halfway between 2 and 4
        assertEquals(3, PairedBootstrap.quantile(s, 0.5));
        assertThrows(
                IllegalArgumentException.class, () -> PairedBootstrap.of(new int[] {1}, new int[] {1, 0}, 10, 0.95, 1));
    }
}
