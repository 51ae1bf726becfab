package dev.chimera.search;

import java.util.Arrays;

/** The search box: gene i lies in [lower[i], upper[i]]. */
public record Bounds(double[] lower, double[] upper) {
    public Bounds {
        if (lower.length != upper.length || lower.length == 0) {
            throw new SearchException(
                    "bounds need equal, non-zero lengths, got " + lower.length + " and " + upper.length);
        }
        for (int i = 0; i < lower.length; i++) {
            if (!(lower[i] <= upper[i]) || !Double.isFinite(lower[i]) || !Double.isFinite(upper[i])) {
                throw new SearchException(
                        "gene " + i + ": bounds [" + lower[i] + ", " + upper[i] + "] are not a finite interval");
            }
        }
        lower = lower.clone();
        upper = upper.clone();
    }

    public static Bounds uniform(int n, double lo, double hi) {
        double[] l = new double[n];
        double[] u = new double[n];
        Arrays.fill(l, lo);
        Arrays.fill(u, hi);
        return new Bounds(l, u);
    }

    @Override
    public double[] lower() {
        return lower.clone();
    }

    @Override
    public double[] upper() {
        return upper.clone();
    }

    public int dimension() {
        return lower.length;
    }

    public double lower(int i) {
        return lower[i];
    }

    public double upper(int i) {
        return upper[i];
    }

    /** x clipped into the box (a copy). */
    public double[] clip(double[] x) {
        double[] y = x.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.min(upper[i], Math.max(lower[i], y[i]));
        }
        return y;
    }

    public boolean contains(double[] x) {
        for (int i = 0; i < x.length; i++) {
            if (!(x[i] >= lower[i] && x[i] <= upper[i])) {
                return false;
            }
        }
        return true;
    }
}
