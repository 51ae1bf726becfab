package dev.chimera.estimate;

/**
 * Estimators of a model's full-benchmark accuracy from its 0/1 answers y_1..y_n on the items of a {@link
 * Selection} (weights w_i, sum 1), N = all items, U = items not selected, theta_hat = {@link IrtModel#fitTheta} on
 * the n answers.
 *
 * <ul>
 *   <li>{@code mean}: (1/n) sum y_i.
 *   <li>{@code weighted}: sum w_i y_i (Mergenetic {@code weighted}; tinyBenchmarks' anchor estimate).
 *   <li>{@code irt}: tinyBenchmarks' "IRT" estimator, {@code IRT = (examples_weights * y[seen]).sum()} in
 *       tinyBenchmarks/__init__.py: sum w_i y_i with the anchor weights. It is named IRT because its anchors
 *       come from the IRT embedding (anchor-irt); given the selection it equals {@code weighted}.
 *   <li>{@code irt-model}: the purely model-based (1/N) sum_{j in N} P_j(theta_hat) (not a tinyBenchmarks output;
 *       kept for comparison).
 *   <li>{@code pirt}: tinyBenchmarks' p-IRT: l (1/n) sum y_i + (1 - l) (1/|U|) sum_{j in U} P_j(theta_hat), l =
 *       n/N (the plain mean of the seen answers, as {@code data_part_IRTp} there).
 *   <li>{@code gpirt}: g * irt + (1 - g) * pirt with g = {@link Calibration#lambda} (tinyBenchmarks'
 *       {@code optimal_lambdas}); 0.5 without a calibration.
 *   <li>{@code mpirt}: Mergenetic's mp-IRT ({@code eval_mpirt_on_anchors}): theta = sum_k lambda_k theta_k over the
 *       parents' abilities (lambda from {@link IrtModel#fitMixture}; one parent: its theta as is), estimate = l sum
 *       w_i y_i + (1 - l) (1/|U|) sum_{j in U} P_j(theta), l = n/N.
 *   <li>{@code gmpirt}: Mergenetic's gmp-IRT: 0.5 sum w_i y_i + 0.5 mpirt (the default, {@code delta=0.5}).
 *   <li>{@code gmpirt-auto}: g * sum w_i y_i + (1 - g) mpirt with tinyBenchmarks' data-chosen g.
 * </ul>
 *
 * All outputs are finite and in [0, 1].
 */
public final class AccuracyEstimator {

    /**
     * @param simplexMixture constrain mp-IRT's lambda to the simplex (Mergenetic: unconstrained, the default)
     * @param lambdaPrecision precision of the N(1/K, .) prior on mp-IRT's lambda (keeps it finite)
     * @param gmpirtWeight weight of {@code weighted} in {@code gmpirt} (Mergenetic: 0.5)
     */
    public record Options(boolean simplexMixture, double lambdaPrecision, double gmpirtWeight) {
        public static Options defaults() {
            return new Options(false, 1.0, 0.5);
        }
    }

    private final IrtModel irt;
    private final Selection selection;
    private final Calibration calibration;
    private final Options options;
    private final int[] items;
    private final double[] weights;
    private final boolean[] seen;
    private final int total;
    private final int distinct;

    /**
     * @param irt IRT model of the reference (may be null if only mean / weighted / irt are used)
     * @param selection the chosen items
     * @param calibration gp-IRT lambda calibration (may be null: lambda 0.5)
     * @param totalItems N
     */
    public AccuracyEstimator(
            IrtModel irt, Selection selection, Calibration calibration, Options options, int totalItems) {
        this.irt = irt;
        this.selection = selection;
        this.calibration = calibration;
        this.options = options;
        this.items = selection.items();
        this.weights = selection.weights();
        this.total = totalItems;
        for (int j : items) {
            if (j < 0 || j >= totalItems) {
                throw new EstimateException("selected item " + j + " out of range 0.." + (totalItems - 1));
            }
        }
        if (irt != null && irt.items() != totalItems) {
            throw new EstimateException("IRT model has " + irt.items() + " items, benchmark has " + totalItems);
        }
        this.seen = selection.seenMask(totalItems);
        this.distinct = selection.distinct(totalItems);
    }

    public Selection selection() {
        return selection;
    }

    /** tinyBenchmarks' gp-IRT weight for this selection. */
    public double gpirtLambda() {
        return calibration == null ? 0.5 : calibration.lambda(distinct, selection.kind());
    }

    /**
     * The estimate of the {@link Estimators registered} estimator {@code method}; {@code parentThetas} is needed only
     * by the mp-IRT family.
     */
    public double estimate(String method, double[] y, double[][] parentThetas) {
        check(y);
        return clamp01(Estimators.get(method).estimate(this, y, parentThetas));
    }

    /** The estimator's options (mp-IRT's mixture settings, gmp-IRT's weight). */
    public Options options() {
        return options;
    }

    /** The selected items (indices into the benchmark), aligned with the answers. */
    public int[] items() {
        return items.clone();
    }

    /** The selection's item weights (summing to 1), aligned with the answers. */
    public double[] weights() {
        return weights.clone();
    }

    /** N, the benchmark's item count. */
    public int totalItems() {
        return total;
    }

    public double mean(double[] y) {
        check(y);
        double s = 0;
        for (double v : y) {
            s += v;
        }
        return s / y.length;
    }

    public double weighted(double[] y) {
        check(y);
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += weights[i] * y[i];
        }
        return clamp01(s);
    }

    public double irtModel(double[] y) {
        return clamp01(needIrt().meanProbability(needIrt().fitTheta(items, y)));
    }

    public double pirt(double[] y) {
        double[] th = needIrt().fitTheta(items, y);
        return clamp01(blend(mean(y), th));
    }

    public double gpirt(double[] y) {
        double g = gpirtLambda();
        return clamp01(g * weighted(y) + (1 - g) * pirt(y));
    }

    public double mpirt(double[] y, double[][] parentThetas) {
        check(y);
        if (parentThetas == null || parentThetas.length == 0) {
            throw new EstimateException("mp-IRT needs the parents' abilities");
        }
        double[] th;
        if (parentThetas.length == 1) {
            th = parentThetas[0].clone();
        } else {
            double[] lambda =
                    needIrt().fitMixture(items, y, parentThetas, options.simplexMixture(), options.lambdaPrecision());
            th = IrtModel.combine(lambda, parentThetas);
        }
        return clamp01(blend(weighted(y), th));
    }

    /** l * data + (1 - l) * mean over unseen items of P_j(theta), l = distinct seen / N. */
    private double blend(double data, double[] th) {
        double l = (double) distinct / total;
        if (distinct >= total) {
            return data;
        }
        return l * data + (1 - l) * irt.meanProbability(th, seen);
    }

    private IrtModel needIrt() {
        if (irt == null) {
            throw new EstimateException("this estimator needs an IRT model");
        }
        return irt;
    }

    private void check(double[] y) {
        if (y.length != items.length) {
            throw new EstimateException(y.length + " answers for " + items.length + " selected items");
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] != 0 && y[i] != 1) {
                throw new EstimateException("answer " + y[i] + " at position " + i + " is not 0 or 1");
            }
        }
    }

    private static double clamp01(double v) {
        if (Double.isNaN(v)) {
            throw new IllegalStateException("estimate is NaN");
        }
        return Math.max(0, Math.min(1, v));
    }
}
