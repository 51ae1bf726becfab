package dev.chimera.estimate;

import java.util.List;
import java.util.Map;

/**
 * Estimates a candidate's full-task accuracy from its answers on the items of an {@link ExtractResult}'s subset,
 * with the stored IRT parameters, calibration and (for {@code mpirt} / {@code gmpirt} / {@code gmpirt-auto}) the
 * parents' abilities. Immutable; safe to share between threads.
 */
public final class SubsetEstimator {
    private final AccuracyEstimator estimator;
    private final List<String> itemIds;
    private final String method;
    private final double[][] parentThetas;

    SubsetEstimator(AccuracyEstimator estimator, List<String> itemIds, String method, double[][] parentThetas) {
        this.estimator = estimator;
        this.itemIds = List.copyOf(itemIds);
        this.method = method;
        this.parentThetas = parentThetas;
    }

    /** The items a candidate must answer, in order. */
    public List<String> itemIds() {
        return itemIds;
    }

    /** The estimator of the extract settings. */
    public String method() {
        return method;
    }

    /** Estimate with the settings' method from answers by item id (every subset item; others are ignored). */
    public double estimate(Map<String, Boolean> answers) {
        return estimate(method, answers);
    }

    /** Estimate with any method of {@link Estimators#names()}. */
    public double estimate(String method, Map<String, Boolean> answers) {
        double[] y = new double[itemIds.size()];
        for (int k = 0; k < y.length; k++) {
            Boolean v = answers.get(itemIds.get(k));
            if (v == null) {
                throw new EstimateException("no answer for subset item '" + itemIds.get(k) + "'");
            }
            y[k] = v ? 1 : 0;
        }
        return estimate(method, y);
    }

    /** Estimate from 0/1 answers in {@link #itemIds()} order. */
    public double estimate(String method, double[] y) {
        return estimator.estimate(method, y, parentThetas);
    }
}
