package dev.chimera.estimate;

/** Small dense linear algebra and numerics for the IRT code (dimensions of a few units). */
final class Small {
    private Small() {}

    static final double Z_CLIP = 30.0;

    /** Logistic function of z clipped to [-30, 30] (as tinyBenchmarks' item_curve clips). */
    static double sigmoid(double z) {
        if (z > Z_CLIP) {
            z = Z_CLIP;
        } else if (z < -Z_CLIP) {
            z = -Z_CLIP;
        }
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /** log P(y | z) for y in {0,1} with logistic link, computed stably. */
    static double logLik(double y, double z) {
        if (z > Z_CLIP) {
            z = Z_CLIP;
        } else if (z < -Z_CLIP) {
            z = -Z_CLIP;
        }
        // log sigmoid(z) = -log1p(exp(-z)); log(1 - sigmoid(z)) = -log1p(exp(z))
        double lp = z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
        double lq = lp - z;
        return y * lp + (1 - y) * lq;
    }

    static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    /**
     * Solves H x = g for symmetric positive definite H (Cholesky). H is not modified. If H is not numerically
     * positive definite, a growing ridge is added.
     */
    static double[] solveSpd(double[][] h, double[] g) {
        int n = g.length;
        double ridge = 0;
        for (int attempt = 0; attempt < 30; attempt++) {
            double[][] l = new double[n][n];
            boolean ok = true;
            outer:
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    double s = h[i][j] + (i == j ? ridge : 0);
                    for (int k = 0; k < j; k++) {
                        s -= l[i][k] * l[j][k];
                    }
                    if (i == j) {
                        if (!(s > 1e-300)) {
                            ok = false;
                            break outer;
                        }
                        l[i][i] = Math.sqrt(s);
                    } else {
                        l[i][j] = s / l[j][j];
                    }
                }
            }
            if (ok) {
                double[] z = new double[n];
                for (int i = 0; i < n; i++) {
                    double s = g[i];
                    for (int k = 0; k < i; k++) {
                        s -= l[i][k] * z[k];
                    }
                    z[i] = s / l[i][i];
                }
                double[] x = new double[n];
                for (int i = n - 1; i >= 0; i--) {
                    double s = z[i];
                    for (int k = i + 1; k < n; k++) {
                        s -= l[k][i] * x[k];
                    }
                    x[i] = s / l[i][i];
                }
                return x;
            }
            ridge = ridge == 0 ? 1e-10 : ridge * 10;
        }
        throw new IllegalStateException("matrix is not positive definite even with a ridge");
    }

    /** Inverse of a symmetric positive definite matrix (column by column). */
    static double[][] inverseSpd(double[][] h) {
        int n = h.length;
        double[][] inv = new double[n][n];
        for (int c = 0; c < n; c++) {
            double[] e = new double[n];
            e[c] = 1;
            double[] col = solveSpd(h, e);
            for (int r = 0; r < n; r++) {
                inv[r][c] = col[r];
            }
        }
        return inv;
    }

    /** Scales v in place so that its Euclidean norm is at most max. */
    static void capNorm(double[] v, double max) {
        double s = Math.sqrt(dot(v, v));
        if (s > max) {
            for (int k = 0; k < v.length; k++) {
                v[k] *= max / s;
            }
        }
    }
}
