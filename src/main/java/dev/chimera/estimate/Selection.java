package dev.chimera.estimate;

import java.util.Arrays;

/**
 * Items chosen for evaluation with their weights (summing to 1): the estimate {@code weighted} is sum_i w_i y_i.
 *
 * @param kind how it was chosen (random, stratified, anchor, anchor-irt, or given)
 * @param items item indices (distinct)
 * @param weights weight of each chosen item, sum 1
 */
public record Selection(String kind, int[] items, double[] weights) {

    public Selection {
        if (items.length == 0) {
            throw new EstimateException("a selection needs at least one item");
        }
        if (items.length != weights.length) {
            throw new EstimateException(items.length + " items but " + weights.length + " weights");
        }
        items = items.clone();
        weights = weights.clone();
    }

    /** Uniform weights 1/n over the given items (duplicates allowed; each occurrence counts). */
    public static Selection uniform(String kind, int[] items) {
        double[] w = new double[items.length];
        Arrays.fill(w, 1.0 / items.length);
        return new Selection(kind, items, w);
    }

    public int size() {
        return items.length;
    }

    @Override
    public int[] items() {
        return items.clone();
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    /** Mask over all items: true for the chosen ones. */
    public boolean[] seenMask(int totalItems) {
        boolean[] m = new boolean[totalItems];
        for (int j : items) {
            m[j] = true;
        }
        return m;
    }

    /** Number of distinct chosen items. */
    public int distinct(int totalItems) {
        int c = 0;
        for (boolean s : seenMask(totalItems)) {
            if (s) {
                c++;
            }
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Selection s
                && s.kind.equals(kind)
                && Arrays.equals(s.items, items)
                && Arrays.equals(s.weights, weights);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(items) + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        return "Selection[" + kind + ", n=" + items.length + "]";
    }
}
