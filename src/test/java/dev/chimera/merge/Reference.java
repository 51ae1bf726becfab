package dev.chimera.merge;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Independent, deliberately naive double-precision versions of mergekit's formulas (written from mergekit's Python,
 * not from Chimera's code), used to check whole merges end to end.
 */
final class Reference {
    private Reference() {}

    static double[] linear(List<double[]> xs, double[] w, boolean normalize) {
        int n = xs.get(0).length;
        double[] out = new double[n];
        double ws = Arrays.stream(w).sum();
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < xs.size(); k++) {
                s += w[k] * xs.get(k)[i];
            }
            out[i] = normalize ? s / ws : s;
        }
        return out;
    }

    /** mergekit magnitude(): keep int(density * n) entries of largest |d|. */
    static double[] magnitude(double[] d, double density) {
        if (density >= 1) {
            return d.clone();
        }
        int k = (int) (density * d.length);
        Integer[] idx = IntStream.range(0, d.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -Math.abs(d[i])));
        double[] out = new double[d.length];
        for (int j = 0; j < k; j++) {
            out[idx[j]] = d[idx[j]];
        }
        return out;
    }

    /** Generalised task arithmetic with magnitude trimming (ties) or none (task_arithmetic). */
    static double[] gta(
            double[] base,
            List<double[]> xs,
            double[] w,
            double[] density,
            boolean consensus,
            boolean normalize,
            double lambda) {
        int n = base.length;
        int m = xs.size();
        double[][] wd = new double[m][];
        for (int k = 0; k < m; k++) {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                d[i] = xs.get(k)[i] - base[i];
            }
            d = magnitude(d, density[k]);
            for (int i = 0; i < n; i++) {
                d[i] *= w[k];
            }
            wd[k] = d;
        }
        double[] out = new double[n];
        double wsum = Arrays.stream(w).sum();
        for (int i = 0; i < n; i++) {
            double mixed = 0;
            double div = 0;
            if (consensus) {
                double s = 0;
                for (int k = 0; k < m; k++) {
                    s += wd[k][i];
                }
                double sign = s >= 0 ? 1 : -1;
                for (int k = 0; k < m; k++) {
                    if (Math.signum(wd[k][i]) == sign) {
                        mixed += wd[k][i];
                        div += w[k];
                    }
                }
                if (div == 0) {
                    div = 1;
                }
            } else {
                for (int k = 0; k < m; k++) {
                    mixed += wd[k][i];
                }
                div = Math.abs(wsum) < 1e-8 ? 1 : wsum;
            }
            if (normalize) {
                mixed /= div;
            }
            out[i] = base[i] + lambda * mixed;
        }
        return out;
    }

    static double[] slerp(double t, double[] a, double[] b) {
        double na = 0;
        double nb = 0;
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            na += a[i] * a[i];
            nb += b[i] * b[i];
            dot += a[i] * b[i];
        }
        double c = dot / Math.sqrt(na) / Math.sqrt(nb);
        double[] out = new double[a.length];
        if (Math.abs(c) > 0.9995) {
            for (int i = 0; i < a.length; i++) {
                out[i] = (1 - t) * a[i] + t * b[i];
            }
            return out;
        }
        double th = Math.acos(c);
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.sin((1 - t) * th) / Math.sin(th) * a[i] + Math.sin(t * th) / Math.sin(th) * b[i];
        }
        return out;
    }
}
