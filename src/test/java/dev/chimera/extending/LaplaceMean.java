package dev.chimera.extending;

import dev.chimera.estimate.AccuracyEstimator;
import dev.chimera.estimate.EstimatorMethod;

/**
 * docs/extending.md's example estimator: the mean of the answers shrunk toward one half (Laplace's rule of
 * succession, (correct + 1) / (n + 2)), which keeps a candidate that happens to answer a small subset perfectly from
 * reading as 100 %. A run objective names it {@code estimator = laplace-mean}.
 */
public final class LaplaceMean implements EstimatorMethod {
    @Override
    public String name() {
        return "laplace-mean";
    }

    @Override
    public double estimate(AccuracyEstimator context, double[] y, double[][] parentThetas) {
        double correct = 0;
        for (double v : y) {
            correct += v;
        }
        return (correct + 1) / (y.length + 2);
    }
}
