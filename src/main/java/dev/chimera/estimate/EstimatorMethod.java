package dev.chimera.estimate;

/**
 * One accuracy estimator, by name (a run objective's {@code estimator}): a model's accuracy on the whole benchmark
 * from its 0/1 answers on the selected items. Called on evaluator threads, possibly several at once, so it keeps no
 * state; deterministic for its inputs. The result is clamped to [0, 1].
 *
 * <p>Built-in ones are registered in {@link Estimators}; a plugin lists its classes (public, no-argument
 * constructor) in {@code META-INF/services/dev.chimera.estimate.EstimatorMethod}.
 */
public interface EstimatorMethod {
    /** The name a run file gives, e.g. {@code gpirt}. */
    String name();

    /**
     * @param context the extract stage's selection (items and weights), IRT model and calibration, and the built-in
     *     estimators to combine ({@link AccuracyEstimator#mean}, {@link AccuracyEstimator#weighted}, ...)
     * @param y the answers, aligned with the selected items
     * @param parentThetas the parents' IRT abilities (for mixtures of them), possibly null
     */
    double estimate(AccuracyEstimator context, double[] y, double[][] parentThetas);
}
