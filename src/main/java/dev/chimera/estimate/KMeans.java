package dev.chimera.estimate;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Lloyd's k-means with k-means++ seeding; deterministic for a seed. Empty clusters are re-seeded. */
final class KMeans {
    private KMeans() {}

    record Result(double[][] centroids, int[] labels, double inertia) {}

    static double dist2(double[] x, double[] c) {
        double s = 0;
        for (int k = 0; k < x.length; k++) {
            double d = x[k] - c[k];
            s += d * d;
        }
        return s;
    }

    /**
     * Labels each point with its nearest centroid (in parallel) and stores the squared distance to it
     * in {@code nearest}.
     */
    private static int[] assign(double[][] x, double[][] c, double[] nearest) {
        return IntStream.range(0, x.length)
                .parallel()
                .map(j -> {
                    int arg = 0;
                    double bd = Double.POSITIVE_INFINITY;
                    for (int t = 0; t < c.length; t++) {
                        double dd = dist2(x[j], c[t]);
                        if (dd < bd) {
                            bd = dd;
                            arg = t;
                        }
                    }
                    nearest[j] = bd;
                    return arg;
                })
                .toArray();
    }

    static Result run(double[][] x, int k, long seed, int maxIter) {
        int n = x.length;
        int dim = x[0].length;
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] c = new double[k][];
        // k-means++ seeding
        c[0] = x[rng.nextInt(n)].clone();
        double[] dmin = new double[n];
        for (int j = 0; j < n; j++) {
            dmin[j] = dist2(x[j], c[0]);
        }
        for (int t = 1; t < k; t++) {
            double sum = 0;
            for (double v : dmin) {
                sum += v;
            }
            int pick;
            if (sum <= 0) {
                pick = rng.nextInt(n);
            } else {
                double u = rng.nextDouble() * sum;
                pick = n - 1;
                double acc = 0;
                for (int j = 0; j < n; j++) {
                    acc += dmin[j];
                    if (acc >= u) {
                        pick = j;
                        break;
                    }
                }
            }
            c[t] = x[pick].clone();
            for (int j = 0; j < n; j++) {
                dmin[j] = Math.min(dmin[j], dist2(x[j], c[t]));
            }
        }
        int[] labels = new int[n];
        double[] best = new double[n];
        for (int it = 0; it < maxIter; it++) {
            int[] newLabels = assign(x, c, best);
            boolean changed = it == 0 || !Arrays.equals(newLabels, labels);
            labels = newLabels;
            double[][] sums = new double[k][dim];
            int[] counts = new int[k];
            for (int j = 0; j < n; j++) {
                counts[labels[j]]++;
                double[] s = sums[labels[j]];
                for (int l = 0; l < dim; l++) {
                    s[l] += x[j][l];
                }
            }
            for (int t = 0; t < k; t++) {
                if (counts[t] == 0) {
                    // re-seed an empty cluster at the point farthest from its centroid
                    int far = 0;
                    for (int j = 1; j < n; j++) {
                        if (best[j] > best[far]) {
                            far = j;
                        }
                    }
                    c[t] = x[far].clone();
                    best[far] = 0;
                    changed = true;
                } else {
                    for (int l = 0; l < dim; l++) {
                        sums[t][l] /= counts[t];
                    }
                    c[t] = sums[t];
                }
            }
            if (!changed) {
                break;
            }
        }
        // final assignment and inertia
        double[] dd = new double[n];
        int[] fin = assign(x, c, dd);
        double inertia = 0;
        for (double v : dd) {
            inertia += v;
        }
        return new Result(c, fin, inertia);
    }
}
