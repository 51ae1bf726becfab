package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The (mu/mu_w, lambda)-CMA-ES with cumulative step-size adaptation, rank-one and (active) rank-mu covariance
 * updates, exactly as summarised in N. Hansen, "The CMA Evolution Strategy: A Tutorial", arXiv:1604.00772v2 (2023),
 * Section "Algorithm Summary" and Table 1 (default parameters, including the negative recombination weights).
 * c_mu carries the 1/4 offset, {@code 2 (1/4 + mu_eff + 1/mu_eff - 2) / ((n + 2)^2 + mu_eff)}, as pycma does
 * (versions of the table without it give, for n = 10, a 14 % smaller c_mu), and c_sigma = (mu_eff + 2) / (n + mu_eff + 3)
 * as pycma computes it (the table's + 5 made runs 2 % longer than pycma's on the 10-D sphere). The eigendecomposition of C is lazy, as
 * in the tutorial's Matlab code (purecmaes.m): only when more than {@code lambda / (c1 + cmu) / n / 10} evaluations
 * have passed since the last one (every generation for n = 10).
 *
 * <p>Settings (all optional): {@code population} (lambda, default {@code 4 + floor(3 ln n)}), {@code sigma0} (default
 * 0.3 times the average bound width), {@code mean0} (list of n numbers inside the bounds, default the centre of the
 * bounds), {@code active} (negative weights of Table 1, default true; false gives the classic positive-weights
 * update).
 *
 * <p>Bounds: samples {@code x = m + sigma y} are drawn in the unconstrained space; the candidate handed out is x
 * clipped into the box, so its genes are always inside. For ranking only, each sample's objective is lowered by an
 * adaptive quadratic penalty {@code gamma * sum_i ((x_i - clip(x)_i) / (sigma sqrt(C_ii)))^2}, where gamma is the
 * interquartile range of the generation's told objective values (their full range when the IQR is 0); ties are
 * broken by the smaller penalty, then the lower id. This is a simplified form of the box handling of Hansen et al.,
 * IEEE TEC 13(1), 2009 (pycma's {@code BoundPenalty}) without its weight-increase rule: distances are measured in
 * sampling standard deviations and weighed by the fitness spread, so the penalty is invariant to the scale of genes
 * and objectives. The update itself uses the unclipped y (the tutorial's y_i:lambda).
 *
 * <p>The paper minimises; here objectives are maximised, so "better" means a larger value. A NaN objective ranks
 * below everything and never becomes {@link #best()}.
 */
public final class CmaEs extends GenerationalOptimizer {
    public static final String NAME = "cmaes";
    private static final int VERSION = 2;

    private final int n;
    private final int lambda;
    private final double sigma0;
    private final double[] mean0;
    private final boolean active;

    // Constants of Table 1, all derived from n and lambda.
    private final int mu;
    private final double[] weights;
    private final double sumWeights;
    private final double mueff;
    private final double cc;
    private final double cs;
    private final double c1;
    private final double cmu;
    private final double damps;
    private final double chiN;
    private final double eigenGap;

    private double[] mean;
    private double sigma;
    private double[] pc;
    private double[] ps;
    private double[][] cov;
    private double[][] eigVectors;
    private double[] eigSqrt;
    private final double[][] invSqrtC;
    private long eigenEval;
    /** Restarts after convergence (see {@link #TOL_X}). */
    private long restarts;

    // Candidate k of the current generation is clip(m + sigma ys[k]), with m and sigma of when it was drawn.
    private double[][] ys;
    private final BestSoFar best = BestSoFar.excludingNaN();

    private CmaEs(Bounds bounds, int objectives, Config settings, Rng rng) {
        super(NAME, VERSION, bounds, objectives, rng);
        OptimizerSettings.requireSingleObjective(NAME, objectives);
        this.n = bounds.dimension();
        this.lambda = OptimizerSettings.integer(settings, "population", 4 + (int) Math.floor(3 * Math.log(n)));
        OptimizerSettings.require(NAME, lambda >= 2, "population must be at least 2, got " + lambda);
        double width = 0;
        for (int i = 0; i < n; i++) {
            width += bounds.upper(i) - bounds.lower(i);
        }
        width /= n;
        this.sigma0 = OptimizerSettings.number(settings, "sigma0", width > 0 ? 0.3 * width : 1);
        OptimizerSettings.require(
                NAME, sigma0 > 0 && Double.isFinite(sigma0), "sigma0 must be a positive number, got " + sigma0);
        this.mean0 = new double[n];
        if (settings.hasPath("mean0")) {
            List<Double> m = settings.getDoubleList("mean0");
            OptimizerSettings.require(NAME, m.size() == n, "mean0 has " + m.size() + " values, the bounds have " + n);
            for (int i = 0; i < n; i++) {
                mean0[i] = m.get(i);
            }
            OptimizerSettings.require(
                    NAME, bounds.contains(mean0), "mean0 " + Arrays.toString(mean0) + " is outside the bounds");
        } else {
            for (int i = 0; i < n; i++) {
                mean0[i] = (bounds.lower(i) + bounds.upper(i)) / 2;
            }
        }
        this.active = OptimizerSettings.flag(settings, "active", true);

        mu = lambda / 2;
        double[] raw = new double[lambda];
        for (int i = 0; i < lambda; i++) {
            raw[i] = Math.log((lambda + 1) / 2.0) - Math.log(i + 1);
        }
        mueff = effectiveMass(raw, 0, mu);
        double mueffMinus = effectiveMass(raw, mu, lambda);
        double alphaCov = 2;
        cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n);
        cs = (mueff + 2) / (n + mueff + 3); // pycma's constant; Table 1 has + 5
        c1 = alphaCov / ((n + 1.3) * (n + 1.3) + mueff);
        cmu = Math.min(1 - c1, alphaCov * (0.25 + mueff + 1 / mueff - 2) / ((n + 2) * (n + 2) + alphaCov * mueff / 2));
        damps = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs;
        chiN = Math.sqrt(n) * (1 - 1.0 / (4 * n) + 1.0 / (21.0 * n * n));

        double sumPos = 0;
        double sumNeg = 0;
        for (double w : raw) {
            if (w >= 0) {
                sumPos += w;
            } else {
                sumNeg -= w;
            }
        }
        double alphaMuMinus = 1 + c1 / cmu;
        double alphaMueffMinus = 1 + 2 * mueffMinus / (mueff + 2);
        double alphaPosDefMinus = (1 - c1 - cmu) / (n * cmu);
        double negScale = Math.min(alphaMuMinus, Math.min(alphaMueffMinus, alphaPosDefMinus));
        weights = new double[lambda];
        double sum = 0;
        for (int i = 0; i < lambda; i++) {
            weights[i] = raw[i] >= 0 ? raw[i] / sumPos : active ? negScale * raw[i] / sumNeg : 0;
            sum += weights[i];
        }
        sumWeights = sum;
        eigenGap = lambda / (c1 + cmu) / n / 10;

        mean = mean0.clone();
        sigma = sigma0;
        pc = new double[n];
        ps = new double[n];
        cov = identity(n);
        eigVectors = identity(n);
        eigSqrt = new double[n];
        Arrays.fill(eigSqrt, 1);
        invSqrtC = identity(n);
        ys = new double[lambda][];
    }

    /** (sum w)^2 / sum w^2 over raw[from, to): mu_eff and mu_eff^- of Table 1. */
    private static double effectiveMass(double[] raw, int from, int to) {
        double s = 0;
        double s2 = 0;
        for (int i = from; i < to; i++) {
            s += raw[i];
            s2 += raw[i] * raw[i];
        }
        return s2 == 0 ? 0 : s * s / s2;
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    /** lambda, the number of candidates per generation. */
    public int population() {
        return lambda;
    }

    /** mu_eff of Table 1 (for tests). */
    double mueff() {
        return mueff;
    }

    /** The recombination weights w_1..w_lambda of Table 1, negative ones included (for tests). */
    double[] weights() {
        return weights.clone();
    }

    /** Current step size sigma. */
    public synchronized double sigma() {
        return sigma;
    }

    /** Current distribution mean (unclipped; may lie slightly outside the bounds). */
    public synchronized double[] mean() {
        return mean.clone();
    }

    @Override
    Generation first() {
        return sample(0);
    }

    @Override
    void result(Evaluation e) {
        best.offer(e);
    }

    @Override
    Generation next() {
        update();
        return sample(current.endId());
    }

    @Override
    public synchronized List<Evaluation> best() {
        return best.list();
    }

    /** Draws a generation: y_k = B D z_k, x_k = m + sigma y_k, candidate = clip(x_k). */
    private Generation sample(long firstId) {
        double[] z = new double[n];
        double[] dz = new double[n];
        double[][] genes = new double[lambda][];
        for (int k = 0; k < lambda; k++) {
            for (int j = 0; j < n; j++) {
                z[j] = rng.nextGaussian();
                dz[j] = eigSqrt[j] * z[j];
            }
            double[] y = new double[n];
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += eigVectors[i][j] * dz[j];
                }
                y[i] = s;
                x[i] = mean[i] + sigma * s;
            }
            ys[k] = y;
            genes[k] = bounds.clip(x);
        }
        return Generation.of(firstId, genes);
    }

    /** One generation of Hansen's update (tutorial, Algorithm Summary), once all lambda results are in. */
    private void update() {
        Integer[] order = rank();

        double[] yw = new double[n];
        for (int r = 0; r < mu; r++) {
            double[] y = ys[order[r]];
            for (int i = 0; i < n; i++) {
                yw[i] += weights[r] * y[i];
            }
        }
        for (int i = 0; i < n; i++) {
            mean[i] += sigma * yw[i]; // c_m = 1
        }

        double[] cyw = multiply(invSqrtC, yw);
        double csNorm = Math.sqrt(cs * (2 - cs) * mueff);
        double psNorm2 = 0;
        for (int i = 0; i < n; i++) {
            ps[i] = (1 - cs) * ps[i] + csNorm * cyw[i];
            psNorm2 += ps[i] * ps[i];
        }
        double psNorm = Math.sqrt(psNorm2);
        // h_sigma stalls the rank-one update while ||p_sigma|| is large (here g + 1 = generation + 1).
        boolean hsig = psNorm / Math.sqrt(1 - Math.pow(1 - cs, 2.0 * (generation + 1))) < (1.4 + 2.0 / (n + 1)) * chiN;
        double ccNorm = Math.sqrt(cc * (2 - cc) * mueff);
        for (int i = 0; i < n; i++) {
            pc[i] = (1 - cc) * pc[i] + (hsig ? ccNorm * yw[i] : 0);
        }

        // w_i° = w_i for w_i >= 0, else w_i n / ||C^-1/2 y_i||^2 (keeps the active update bounded).
        double[] wc = new double[lambda];
        for (int r = 0; r < lambda; r++) {
            if (weights[r] >= 0) {
                wc[r] = weights[r];
            } else {
                double[] cy = multiply(invSqrtC, ys[order[r]]);
                double norm2 = 0;
                for (double v : cy) {
                    norm2 += v * v;
                }
                wc[r] = norm2 > 0 ? weights[r] * n / norm2 : 0;
            }
        }
        double deltaH = hsig ? 0 : cc * (2 - cc);
        double decay = 1 + c1 * deltaH - c1 - cmu * sumWeights;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = decay * cov[i][j] + c1 * pc[i] * pc[j];
                for (int r = 0; r < lambda; r++) {
                    if (wc[r] != 0) {
                        double[] y = ys[order[r]];
                        v += cmu * wc[r] * y[i] * y[j];
                    }
                }
                cov[i][j] = v;
                cov[j][i] = v;
            }
        }

        sigma *= Math.exp(cs / damps * (psNorm / chiN - 1));
        generation++;

        if (converged()) {
            restart();
            return;
        }
        if (evaluations - eigenEval > eigenGap) {
            eigenEval = evaluations;
            decompose();
        }
    }

    /** Sample indices from best to worst: objective minus bound penalty, then smaller penalty, then lower index. */
    private Integer[] rank() {
        double[] penalty = new double[lambda];
        for (int k = 0; k < lambda; k++) {
            double p = 0;
            for (int i = 0; i < n; i++) {
                double x = mean[i] + sigma * ys[k][i];
                double dist = (x - current.candidate(k).gene(i)) / (sigma * Math.sqrt(cov[i][i]));
                p += dist * dist;
            }
            penalty[k] = p;
        }
        double[] values = current.values();
        double gamma = spread(values);
        double[] key = new double[lambda];
        for (int k = 0; k < lambda; k++) {
            double v = Double.isNaN(values[k]) ? Double.NEGATIVE_INFINITY : values[k];
            key[k] = penalty[k] == 0 ? v : v - gamma * penalty[k];
            if (Double.isNaN(key[k])) {
                key[k] = Double.NEGATIVE_INFINITY; // -inf - 0 * inf or inf - inf
            }
        }
        Integer[] order = new Integer[lambda];
        for (int k = 0; k < lambda; k++) {
            order[k] = k;
        }
        Arrays.sort(
                order,
                Comparator.<Integer>comparingDouble(k -> -key[k])
                        .thenComparingDouble(k -> penalty[k])
                        .thenComparingInt(k -> k));
        return order;
    }

    /** Interquartile range of the finite values (linear interpolation), or their range when that is 0. */
    static double spread(double[] v) {
        double[] f = Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
        if (f.length < 2) {
            return 0;
        }
        double iqr = quantile(f, 0.75) - quantile(f, 0.25);
        double s = iqr > 0 ? iqr : f[f.length - 1] - f[0];
        return Double.isFinite(s) ? s : Double.MAX_VALUE;
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private double[] multiply(double[][] m, double[] v) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += m[i][j] * v[j];
            }
            out[i] = s;
        }
        return out;
    }

    /**
     * pycma's default {@code tolx}: once every coordinate's standard deviation sigma sqrt(C_ii) is below it, the
     * distribution has collapsed; pycma stops there, a run with budget left would only repeat one point (and sigma
     * would underflow to NaN genes), so the distribution restarts instead.
     */
    static final double TOL_X = 1e-11;

    private boolean converged() {
        double maxDiag = 0;
        for (int i = 0; i < n; i++) {
            maxDiag = Math.max(maxDiag, cov[i][i]);
        }
        double spread = sigma * Math.sqrt(maxDiag);
        return !(spread >= TOL_X) || !Double.isFinite(spread);
    }

    /** A fresh distribution (sigma0, C = I, empty paths) around the current mean, or mean0 if the mean is lost. */
    private void restart() {
        if (!Arrays.stream(mean).allMatch(Double::isFinite)) {
            mean = mean0.clone();
        }
        sigma = sigma0;
        pc = new double[n];
        ps = new double[n];
        cov = identity(n);
        eigVectors = identity(n);
        Arrays.fill(eigSqrt, 1);
        computeInvSqrtC();
        eigenEval = evaluations;
        restarts++;
    }

    /** How often the distribution restarted after converging. */
    public synchronized long restarts() {
        return restarts;
    }

    /** B, D and C^-1/2 from C (eigenvalues floored at 1e-20 of the largest to stay positive definite). */
    private void decompose() {
        double[] ev = new double[n];
        double[][] vec = new double[n][n];
        eigen(cov, vec, ev);
        double max = 0;
        for (double e : ev) {
            max = Math.max(max, e);
        }
        if (!(max > 0) || !Double.isFinite(max)) {
            throw new IllegalStateException("cmaes: covariance matrix degenerated (largest eigenvalue " + max + ")");
        }
        for (int i = 0; i < n; i++) {
            eigSqrt[i] = Math.sqrt(Math.max(ev[i], max * 1e-20));
            System.arraycopy(vec[i], 0, eigVectors[i], 0, n);
        }
        computeInvSqrtC();
    }

    private void computeInvSqrtC() {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += eigVectors[i][k] * eigVectors[j][k] / eigSqrt[k];
                }
                invSqrtC[i][j] = s;
            }
        }
    }

    /**
     * Eigen-decomposition of the symmetric matrix a (only its lower triangle is read) by the cyclic Jacobi method
     * (Golub &amp; Van Loan, Matrix Computations, Sec. 8.5): the eigenvectors go into the columns of vectors, the
     * eigenvalues into values. A rotation is skipped when |a_pq| is below 1e-15 sqrt(|a_pp a_qq|), which gives small
     * eigenvalues to high relative accuracy for positive definite matrices; it stops after a sweep without
     * rotation.
     */
    static void eigen(double[][] a, double[][] vectors, double[] values) {
        int n = a.length;
        double[][] w = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                w[i][j] = a[i][j];
                w[j][i] = a[i][j];
            }
            Arrays.fill(vectors[i], 0);
            vectors[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = w[p][q];
                    if (apq == 0 || Math.abs(apq) <= 1e-15 * Math.sqrt(Math.abs(w[p][p] * w[q][q]))) {
                        continue;
                    }
                    rotated = true;
                    double tau = (w[q][q] - w[p][p]) / (2 * apq);
                    double t = tau >= 0 ? 1 / (tau + Math.sqrt(1 + tau * tau)) : -1 / (-tau + Math.sqrt(1 + tau * tau));
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = w[k][p];
                        double akq = w[k][q];
                        w[k][p] = c * akp - s * akq;
                        w[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = w[p][k];
                        double aqk = w[q][k];
                        w[p][k] = c * apk - s * aqk;
                        w[q][k] = s * apk + c * aqk;
                    }
                    w[p][q] = 0;
                    w[q][p] = 0;
                    for (int k = 0; k < n; k++) {
                        double vkp = vectors[k][p];
                        double vkq = vectors[k][q];
                        vectors[k][p] = c * vkp - s * vkq;
                        vectors[k][q] = s * vkp + c * vkq;
                    }
                }
            }
            if (!rotated) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            values[i] = w[i][i];
        }
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    ObjectNode settingsJson() {
        ObjectNode o = SnapshotJson.F.objectNode();
        o.put("population", lambda);
        o.set("sigma0", SnapshotJson.number(sigma0));
        o.set("mean0", SnapshotJson.doubles(mean0));
        o.put("active", active);
        return o;
    }

    @Override
    void writeState(ObjectNode s) {
        s.put("eigenEval", eigenEval);
        s.put("restarts", restarts);
        s.set("mean", SnapshotJson.doubles(mean));
        s.set("sigma", SnapshotJson.number(sigma));
        s.set("pc", SnapshotJson.doubles(pc));
        s.set("ps", SnapshotJson.doubles(ps));
        s.set("C", SnapshotJson.matrix(cov));
        s.set("B", SnapshotJson.matrix(eigVectors));
        s.set("D", SnapshotJson.doubles(eigSqrt));
        current.write(s);
        s.set("y", SnapshotJson.matrix(ys));
        best.write(s);
    }

    @Override
    void readState(JsonNode s) {
        eigenEval = SnapshotJson.required(s, "eigenEval").asLong();
        restarts = s.path("restarts").asLong(0); // absent in snapshots from before restarts
        mean = SnapshotJson.doubles(SnapshotJson.required(s, "mean"), n);
        sigma = SnapshotJson.number(SnapshotJson.required(s, "sigma"));
        pc = SnapshotJson.doubles(SnapshotJson.required(s, "pc"), n);
        ps = SnapshotJson.doubles(SnapshotJson.required(s, "ps"), n);
        cov = SnapshotJson.matrix(SnapshotJson.required(s, "C"), n, n);
        eigVectors = SnapshotJson.matrix(SnapshotJson.required(s, "B"), n, n);
        eigSqrt = SnapshotJson.doubles(SnapshotJson.required(s, "D"), n);
        computeInvSqrtC();
        current = Generation.read(s, n);
        OptimizerSettings.require(
                NAME,
                current.size() == lambda,
                "snapshot generation of " + current.size() + " candidates, population " + lambda);
        ys = SnapshotJson.matrix(SnapshotJson.required(s, "y"), lambda, n);
        best.read(s);
    }

    /** Registered in {@link Optimizers} as {@code cmaes}; reads the settings of the class comment. */
    public static final class Factory extends AbstractOptimizer.Factory<CmaEs> {
        public Factory() {
            super(NAME, VERSION, CmaEs::new);
        }
    }
}
