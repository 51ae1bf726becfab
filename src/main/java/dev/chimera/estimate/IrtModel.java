package dev.chimera.estimate;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Multidimensional two-parameter logistic IRT model: P(model i answers item j) = sigmoid(a_j . theta_i - b_j),
 * with z clipped to [-30, 30] as tinyBenchmarks' {@code item_curve} does. (tinyBenchmarks stores a D-vector of
 * difficulties per item and sums them; that is the same model with b_j = sum_d B_dj.)
 *
 * <p><b>Fit</b> ({@link #fit}): joint MAP of items (a_j, b_j) and reference abilities theta_i with Gaussian priors
 * theta ~ N(0, I/pt), a ~ N(0, I/pa), b ~ N(0, 1/pb), i.e. maximise sum_ij log P(y_ij) - pt/2 |theta|^2 - pa/2
 * |a|^2 - pb/2 b^2. Block coordinate ascent: each sweep takes one (damped, step norm <= 1) Newton step on every
 * item's (a_j, b_j) with the abilities fixed, then one on every model's theta_i with the items fixed. Each block
 * is an L2-regularised logistic regression, so its Hessian is negative definite and the step is well defined; the
 * blocks are independent, so they run in parallel without changing the result. Initialisation is deterministic:
 * theta_i1 = centred logit of model accuracy, a_j1 = 1, b_j = -logit of item mean, the remaining coordinates
 * N(0, 0.5^2) from the seed. (tinyBenchmarks trains py-irt's multidim_2pl by SVI with hierarchical priors; this
 * is a point-estimate counterpart, not a port.)
 *
 * <p><b>New models</b> ({@link #fitTheta}): MAP of theta from any subset of responses with the items fixed, under
 * the empirical prior N(mean, cov + 1e-3 I) of the fitted reference abilities; Newton with backtracking from the
 * prior mean. tinyBenchmarks/Mergenetic use plain ML (BFGS from 0); the prior keeps theta finite for all-correct /
 * all-wrong subsets and tiny n.
 */
public final class IrtModel {
    private final double[][] a; // [item][d]
    private final double[] b; // [item]
    private final double[][] theta; // [reference model][d]
    private final double[] priorMean;
    private final double[][] priorPrecision;
    private final int iterations;
    private final double logPosterior;

    private IrtModel(double[][] a, double[] b, double[][] theta, int iterations, double logPosterior) {
        this.a = a;
        this.b = b;
        this.theta = theta;
        this.iterations = iterations;
        this.logPosterior = logPosterior;
        int d = a.length == 0 ? (theta.length == 0 ? 1 : theta[0].length) : a[0].length;
        this.priorMean = new double[d];
        double[][] cov = new double[d][d];
        int m = theta.length;
        if (m >= 2) {
            for (double[] t : theta) {
                for (int k = 0; k < d; k++) {
                    priorMean[k] += t[k] / m;
                }
            }
            for (double[] t : theta) {
                for (int k = 0; k < d; k++) {
                    for (int l = 0; l < d; l++) {
                        cov[k][l] += (t[k] - priorMean[k]) * (t[l] - priorMean[l]) / (m - 1);
                    }
                }
            }
        } else {
            for (int k = 0; k < d; k++) {
                cov[k][k] = 1;
            }
        }
        for (int k = 0; k < d; k++) {
            cov[k][k] += 1e-3;
        }
        this.priorPrecision = Small.inverseSpd(cov);
    }

    /** Builds a model from known item parameters and reference abilities (for tests and precomputed parameters). */
    public static IrtModel of(double[][] a, double[] b, double[][] referenceThetas) {
        if (a.length != b.length) {
            throw new EstimateException("a has " + a.length + " items, b has " + b.length);
        }
        return new IrtModel(deepCopy(a), b.clone(), deepCopy(referenceThetas), 0, Double.NaN);
    }

    /** Fits items and abilities jointly to a reference matrix (see the class comment). */
    public static IrtModel fit(ResponseMatrix m, IrtConfig cfg) {
        int mm = m.models();
        int n = m.items();
        int d = cfg.dims();
        if (mm < 2 || n < 1) {
            throw new EstimateException("IRT fit needs at least 2 models and 1 item, got " + mm + " x " + n);
        }
        byte[][] y = new byte[mm][n];
        for (int i = 0; i < mm; i++) {
            for (int j = 0; j < n; j++) {
                y[i][j] = (byte) m.get(i, j);
            }
        }
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        double[][] th = new double[mm][d];
        double[][] a = new double[n][d];
        double[] b = new double[n];
        double meanLogit = 0;
        for (int i = 0; i < mm; i++) {
            meanLogit += Small.logit(clamp(m.accuracy(i), 0.02, 0.98)) / mm;
        }
        for (int i = 0; i < mm; i++) {
            th[i][0] = Small.logit(clamp(m.accuracy(i), 0.02, 0.98)) - meanLogit;
            for (int k = 1; k < d; k++) {
                th[i][k] = 0.5 * rng.nextGaussian();
            }
        }
        for (int j = 0; j < n; j++) {
            a[j][0] = 1;
            for (int k = 1; k < d; k++) {
                a[j][k] = 0.5 * rng.nextGaussian();
            }
            b[j] = -Small.logit(clamp(m.itemMean(j), 0.02, 0.98));
        }
        byte[][] yt = new byte[n][mm]; // item-major copy for the item steps
        for (int i = 0; i < mm; i++) {
            for (int j = 0; j < n; j++) {
                yt[j][i] = y[i][j];
            }
        }
        double prev = logPosterior(y, a, b, th, cfg);
        int it = 0;
        for (it = 1; it <= cfg.maxIterations(); it++) {
            IntStream.range(0, n).parallel().forEach(j -> itemStep(j, yt[j], a, b, th, cfg));
            IntStream.range(0, mm).parallel().forEach(i -> modelStep(i, y, a, b, th, cfg));
            double cur = logPosterior(y, a, b, th, cfg);
            if (Math.abs(cur - prev) <= cfg.tolerance() * Math.abs(cur)) {
                prev = cur;
                break;
            }
            prev = cur;
        }
        return new IrtModel(a, b, th, Math.min(it, cfg.maxIterations()), prev);
    }

    private static void itemStep(int j, byte[] yj, double[][] a, double[] b, double[][] th, IrtConfig cfg) {
        int d = a[j].length;
        int p = d + 1;
        double[] g = new double[p];
        double[][] h = new double[p][p];
        double[] x = new double[p];
        x[d] = -1;
        double[] aj = a[j];
        double bj = b[j];
        for (int i = 0; i < th.length; i++) {
            double[] ti = th[i];
            for (int k = 0; k < d; k++) {
                x[k] = ti[k];
            }
            double pr = Small.sigmoid(Small.dot(aj, ti) - bj);
            double r = yj[i] - pr;
            double w = pr * (1 - pr);
            for (int k = 0; k < p; k++) {
                g[k] += r * x[k];
                for (int l = 0; l <= k; l++) {
                    h[k][l] += w * x[k] * x[l];
                }
            }
        }
        for (int k = 0; k < d; k++) {
            g[k] -= cfg.aPrecision() * a[j][k];
            h[k][k] += cfg.aPrecision();
        }
        g[d] -= cfg.bPrecision() * b[j];
        h[d][d] += cfg.bPrecision();
        symmetrize(h);
        double[] step = Small.solveSpd(h, g);
        Small.capNorm(step, 1.0);
        for (int k = 0; k < d; k++) {
            a[j][k] += step[k];
        }
        b[j] += step[d];
    }

    private static void modelStep(int i, byte[][] y, double[][] a, double[] b, double[][] th, IrtConfig cfg) {
        int d = th[i].length;
        double[] g = new double[d];
        double[][] h = new double[d][d];
        for (int j = 0; j < a.length; j++) {
            double pr = Small.sigmoid(Small.dot(a[j], th[i]) - b[j]);
            double r = y[i][j] - pr;
            double w = pr * (1 - pr);
            for (int k = 0; k < d; k++) {
                g[k] += r * a[j][k];
                for (int l = 0; l <= k; l++) {
                    h[k][l] += w * a[j][k] * a[j][l];
                }
            }
        }
        for (int k = 0; k < d; k++) {
            g[k] -= cfg.thetaPrecision() * th[i][k];
            h[k][k] += cfg.thetaPrecision();
        }
        symmetrize(h);
        double[] step = Small.solveSpd(h, g);
        Small.capNorm(step, 1.0);
        for (int k = 0; k < d; k++) {
            th[i][k] += step[k];
        }
    }

    private static double logPosterior(byte[][] y, double[][] a, double[] b, double[][] th, IrtConfig cfg) {
        double[] rows = new double[th.length];
        IntStream.range(0, th.length).parallel().forEach(i -> {
            double s = 0;
            for (int j = 0; j < a.length; j++) {
                s += Small.logLik(y[i][j], Small.dot(a[j], th[i]) - b[j]);
            }
            rows[i] = s;
        });
        double ll = 0;
        for (double r : rows) {
            ll += r; // summed in a fixed order so the stopping decision is deterministic
        }
        double pen = 0;
        for (double[] t : th) {
            pen += cfg.thetaPrecision() * Small.dot(t, t);
        }
        for (int j = 0; j < a.length; j++) {
            pen += cfg.aPrecision() * Small.dot(a[j], a[j]) + cfg.bPrecision() * b[j] * b[j];
        }
        return ll - 0.5 * pen;
    }

    private static void symmetrize(double[][] h) {
        for (int k = 0; k < h.length; k++) {
            for (int l = k + 1; l < h.length; l++) {
                h[k][l] = h[l][k];
            }
        }
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double[][] deepCopy(double[][] x) {
        double[][] c = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            c[i] = x[i].clone();
        }
        return c;
    }

    public int dims() {
        return priorMean.length;
    }

    public int items() {
        return b.length;
    }

    /** Sweeps used by the fit (0 for a model built with {@link #of}). */
    public int iterations() {
        return iterations;
    }

    /** Final log posterior of the joint fit (NaN for a model built with {@link #of}). */
    public double logPosterior() {
        return logPosterior;
    }

    public double[] a(int item) {
        return a[item].clone();
    }

    public double b(int item) {
        return b[item];
    }

    /** Fitted ability of reference model i (row i of the fitted matrix). */
    public double[] referenceTheta(int i) {
        return theta[i].clone();
    }

    public int referenceModels() {
        return theta.length;
    }

    /** P_j(theta) = sigmoid(a_j . theta - b_j). */
    public double probability(int item, double[] th) {
        return Small.sigmoid(Small.dot(a[item], th) - b[item]);
    }

    /** Mean of P_j(theta) over all items. */
    public double meanProbability(double[] th) {
        double s = 0;
        for (int j = 0; j < b.length; j++) {
            s += probability(j, th);
        }
        return s / b.length;
    }

    /** Mean of P_j(theta) over the items j with {@code !exclude[j]}; NaN if none. */
    public double meanProbability(double[] th, boolean[] exclude) {
        double s = 0;
        int c = 0;
        for (int j = 0; j < b.length; j++) {
            if (!exclude[j]) {
                s += probability(j, th);
                c++;
            }
        }
        return c == 0 ? Double.NaN : s / c;
    }

    /** MAP ability from responses y[k] to items[k] under the empirical prior of the reference abilities. */
    public double[] fitTheta(int[] items, double[] y) {
        return fitTheta(items, y, priorMean, priorPrecision);
    }

    /** MAP ability from responses y[k] to items[k] under the prior N(mean, precision^-1). */
    public double[] fitTheta(int[] items, double[] y, double[] mean, double[][] precision) {
        checkResponses(items, y);
        int d = dims();
        double[][] c = new double[items.length][];
        double[] off = new double[items.length];
        for (int k = 0; k < items.length; k++) {
            c[k] = a[items[k]];
            off[k] = b[items[k]];
        }
        return newtonMap(c, off, y, mean.clone(), mean, precision, d);
    }

    /**
     * Mergenetic's mp-IRT ability of a merged model: theta = sum_k lambda_k theta_k over the parents' abilities,
     * lambda fitted to the responses. Mergenetic fits lambda by unconstrained ML (BFGS from 1/K); here it is MAP
     * with a weak prior lambda ~ N(1/K, I / lambdaPrecision) so that all-correct / all-wrong subsets stay finite
     * (lambdaPrecision -> 0 recovers Mergenetic). With {@code simplex} lambda is constrained to lambda_k >= 0, sum
     * = 1 (projected gradient ascent) instead.
     *
     * @return lambda (length K)
     */
    public double[] fitMixture(
            int[] items, double[] y, double[][] parentThetas, boolean simplex, double lambdaPrecision) {
        checkResponses(items, y);
        int kk = parentThetas.length;
        if (kk < 1) {
            throw new EstimateException("mp-IRT needs at least one parent ability");
        }
        double[][] c = new double[items.length][kk];
        double[] off = new double[items.length];
        for (int t = 0; t < items.length; t++) {
            for (int k = 0; k < kk; k++) {
                c[t][k] = Small.dot(a[items[t]], parentThetas[k]);
            }
            off[t] = b[items[t]];
        }
        double[] mean = new double[kk];
        Arrays.fill(mean, 1.0 / kk);
        double[][] prec = new double[kk][kk];
        for (int k = 0; k < kk; k++) {
            prec[k][k] = lambdaPrecision;
        }
        if (!simplex) {
            if (!(lambdaPrecision > 0)) {
                throw new EstimateException("unconstrained mp-IRT needs lambdaPrecision > 0 for finite results");
            }
            return newtonMap(c, off, y, mean.clone(), mean, prec, kk);
        }
        return simplexMap(c, off, y, mean, lambdaPrecision);
    }

    /** theta = sum_k lambda_k theta_k. */
    public static double[] combine(double[] lambda, double[][] parentThetas) {
        double[] th = new double[parentThetas[0].length];
        for (int k = 0; k < lambda.length; k++) {
            for (int l = 0; l < th.length; l++) {
                th[l] += lambda[k] * parentThetas[k][l];
            }
        }
        return th;
    }

    private void checkResponses(int[] items, double[] y) {
        if (items.length != y.length) {
            throw new EstimateException(items.length + " items but " + y.length + " responses");
        }
        for (int k = 0; k < items.length; k++) {
            if (items[k] < 0 || items[k] >= b.length) {
                throw new EstimateException("item index " + items[k] + " out of range 0.." + (b.length - 1));
            }
            if (y[k] != 0 && y[k] != 1) {
                throw new EstimateException("response " + y[k] + " at position " + k + " is not 0 or 1");
            }
        }
    }

    /** Objective: sum_t loglik(y_t, c_t . x - off_t) - 1/2 (x - mean)' P (x - mean). */
    private static double objective(double[][] c, double[] off, double[] y, double[] x, double[] mean, double[][] p) {
        double s = 0;
        for (int t = 0; t < c.length; t++) {
            s += Small.logLik(y[t], Small.dot(c[t], x) - off[t]);
        }
        double q = 0;
        for (int k = 0; k < x.length; k++) {
            for (int l = 0; l < x.length; l++) {
                q += (x[k] - mean[k]) * p[k][l] * (x[l] - mean[l]);
            }
        }
        return s - 0.5 * q;
    }

    private static double[] newtonMap(
            double[][] c, double[] off, double[] y, double[] x, double[] mean, double[][] p, int dim) {
        double f = objective(c, off, y, x, mean, p);
        for (int it = 0; it < 100; it++) {
            double[] g = new double[dim];
            double[][] h = new double[dim][dim];
            for (int t = 0; t < c.length; t++) {
                double pr = Small.sigmoid(Small.dot(c[t], x) - off[t]);
                double r = y[t] - pr;
                double w = pr * (1 - pr);
                for (int k = 0; k < dim; k++) {
                    g[k] += r * c[t][k];
                    for (int l = 0; l < dim; l++) {
                        h[k][l] += w * c[t][k] * c[t][l];
                    }
                }
            }
            for (int k = 0; k < dim; k++) {
                for (int l = 0; l < dim; l++) {
                    g[k] -= p[k][l] * (x[l] - mean[l]);
                    h[k][l] += p[k][l];
                }
            }
            double[] step = Small.solveSpd(h, g);
            double t = 1;
            double[] xn = new double[dim];
            double fn = Double.NEGATIVE_INFINITY;
            for (int ls = 0; ls < 40; ls++) {
                for (int k = 0; k < dim; k++) {
                    xn[k] = x[k] + t * step[k];
                }
                fn = objective(c, off, y, xn, mean, p);
                if (fn >= f - 1e-12 * Math.abs(f)) {
                    break;
                }
                t *= 0.5;
            }
            if (!(fn >= f - 1e-12 * Math.abs(f))) {
                break; // no ascent possible: at the optimum to numerical precision
            }
            double moved = 0;
            for (int k = 0; k < dim; k++) {
                moved = Math.max(moved, Math.abs(xn[k] - x[k]));
            }
            System.arraycopy(xn, 0, x, 0, dim);
            f = fn;
            if (moved < 1e-10) {
                break;
            }
        }
        return x;
    }

    private static double[] simplexMap(double[][] c, double[] off, double[] y, double[] start, double prec) {
        int kk = start.length;
        double[] x = start.clone();
        double lip = prec;
        for (double[] ct : c) {
            lip += 0.25 * Small.dot(ct, ct);
        }
        double step = 1.0 / Math.max(lip, 1e-12);
        double[] mean = start.clone();
        for (int it = 0; it < 5000; it++) {
            double[] g = new double[kk];
            for (int t = 0; t < c.length; t++) {
                double r = y[t] - Small.sigmoid(Small.dot(c[t], x) - off[t]);
                for (int k = 0; k < kk; k++) {
                    g[k] += r * c[t][k];
                }
            }
            double[] xn = new double[kk];
            for (int k = 0; k < kk; k++) {
                g[k] -= prec * (x[k] - mean[k]);
                xn[k] = x[k] + step * g[k];
            }
            projectSimplex(xn);
            double moved = 0;
            for (int k = 0; k < kk; k++) {
                moved = Math.max(moved, Math.abs(xn[k] - x[k]));
            }
            x = xn;
            if (moved < 1e-12) {
                break;
            }
        }
        return x;
    }

    /** Euclidean projection onto {x >= 0, sum x = 1} (sort-based). */
    static void projectSimplex(double[] v) {
        int n = v.length;
        double[] u = v.clone();
        Arrays.sort(u);
        double cum = 0;
        double tau = 0;
        for (int i = n - 1; i >= 0; i--) {
            cum += u[i];
            double t = (cum - 1) / (n - i);
            if (i == 0 || u[i - 1] <= t) {
                tau = t;
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            v[i] = Math.max(0, v[i] - tau);
        }
    }
}
