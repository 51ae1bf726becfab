package dev.chimera.estimate;

/**
 * tinyBenchmarks' data-driven choice of the gp-IRT mixing weight (efficbench {@code experiments.py}, step "ii)
 * choosing optimal lambdas", and {@code get_lambda} in utils.py / training_irt.ipynb):
 *
 * <pre>
 *   lambda = b^2 / (b^2 + v / n)        random (and stratified) selection
 *   lambda = b^2 / (b^2 + v / (4 n))    anchor selections (anchor, anchor-irt)
 * </pre>
 *
 * b estimates the bias of the IRT (p-IRT) prediction: every 5th reference model is held out, IRT is fitted on the
 * others, each held-out model's theta is fitted on the even items and b is the mean over held-out models of
 * |mean over odd items of P_j(theta) - its true mean over the odd items|. v / n is the variance of the naive
 * estimate: v = mean over the reference models of the variance of their 0/1 responses (acc (1 - acc)); anchor
 * weighting is credited with a 4x smaller variance. gp-IRT = lambda * IRT + (1 - lambda) * p-IRT, so lambda
 * grows (trust the anchor average) when the IRT model is biased and the sample is large.
 *
 * @param bias b
 * @param variance v
 */
public record Calibration(double bias, double variance) {

    public double lambda(int n, String selectionKind) {
        double vn = selectionKind.startsWith("anchor") ? variance / (4.0 * n) : variance / n;
        double b2 = bias * bias;
        if (b2 + vn <= 0) {
            return 0.5;
        }
        return b2 / (b2 + vn);
    }

    /** Computes b and v from a reference matrix as described in the class comment (one extra IRT fit). */
    public static Calibration compute(ResponseMatrix reference, IrtConfig cfg) {
        int m = reference.models();
        if (m < 3) {
            throw new EstimateException("gp-IRT calibration needs at least 3 reference models, got " + m);
        }
        int nVal = (m + 4) / 5;
        int[] val = new int[nVal];
        int[] train = new int[m - nVal];
        int vi = 0;
        int ti = 0;
        for (int i = 0; i < m; i++) {
            if (i % 5 == 0) {
                val[vi++] = i;
            } else {
                train[ti++] = i;
            }
        }
        IrtModel irt = IrtModel.fit(reference.selectModels(train), cfg);
        int total = reference.items();
        int nEven = (total + 1) / 2;
        int[] even = new int[nEven];
        boolean[] excludeEven = new boolean[total];
        for (int j = 0, k = 0; j < total; j += 2, k++) {
            even[k] = j;
            excludeEven[j] = true;
        }
        double err = 0;
        for (int i : val) {
            double[] row = reference.row(i);
            double[] ys = new double[nEven];
            for (int k = 0; k < nEven; k++) {
                ys[k] = row[even[k]];
            }
            double[] th = irt.fitTheta(even, ys);
            double pred = total > 1 ? irt.meanProbability(th, excludeEven) : irt.meanProbability(th);
            double truth = 0;
            int c = 0;
            for (int j = 1; j < total; j += 2) {
                truth += row[j];
                c++;
            }
            truth = c == 0 ? row[0] : truth / c;
            err += Math.abs(pred - truth);
        }
        double b = err / nVal;
        double v = 0;
        for (int i = 0; i < m; i++) {
            double p = reference.accuracy(i);
            v += p * (1 - p) / m;
        }
        return new Calibration(b, v);
    }
}
