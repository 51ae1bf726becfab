package dev.chimera.estimate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A percentile bootstrap interval for the difference of two accuracies measured on the same items (Efron and
 * Tibshirani 1993, ch. 13): items are resampled with replacement, keeping each item's pair of answers together, so
 * the interval reflects how much the two models' answers move together (two merges of the same parents mostly
 * agree, and their difference is far more certain than either accuracy).
 */
public final class PairedBootstrap {
    /** The observed difference mean(a) - mean(b) and its {@code level} interval. */
    public record Interval(double difference, double low, double high, int items, int resamples, double level) {
        /** True when the whole interval is above 0. */
        public boolean above() {
            return low > 0;
        }
    }

    private PairedBootstrap() {}

    /**
     * @param a 0/1 answers of the first model, item by item
     * @param b the second model's answers to the same items
     * @param resamples bootstrap resamples (e.g. 2,000)
     * @param level e.g. 0.95
     * @param seed the resampling seed (the interval is a function of it)
     */
    public static Interval of(int[] a, int[] b, int resamples, double level, long seed) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException(
                    "paired answers need the same number (> 0) of items, got " + a.length + " and " + b.length);
        }
        if (resamples < 1 || !(level > 0 && level < 1)) {
            throw new IllegalArgumentException("resamples must be >= 1 and level in (0, 1)");
        }
        int n = a.length;
        int[] d = new int[n];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            d[i] = a[i] - b[i];
            sum += d[i];
        }
        SplittableRandom r = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int k = 0; k < resamples; k++) {
            long s = 0;
            for (int i = 0; i < n; i++) {
                s += d[r.nextInt(n)];
            }
            means[k] = (double) s / n;
        }
        Arrays.sort(means);
        double tail = (1 - level) / 2;
        return new Interval((double) sum / n, quantile(means, tail), quantile(means, 1 - tail), n, resamples, level);
    }

    /** The p-quantile of sorted values, linear between order statistics (numpy's default). */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
