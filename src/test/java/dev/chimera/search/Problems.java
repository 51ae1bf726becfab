package dev.chimera.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Standard test problems, written as minimisation functions f (the optimizers maximise, so drivers tell -f).
 * Definitions: sphere sum x^2; Rosenbrock sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2; Rastrigin
 * 10 n + sum x^2 - 10 cos(2 pi x); ZDT1/ZDT2 (Zitzler, Deb, Thiele 2000) on [0, 1]^n.
 */
final class Problems {
    private Problems() {}

    static double sphere(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return s;
    }

    static double rosenbrock(double[] x) {
        double s = 0;
        for (int i = 0; i + 1 < x.length; i++) {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            s += 100 * a * a + b * b;
        }
        return s;
    }

    static double rastrigin(double[] x) {
        double s = 10 * x.length;
        for (double v : x) {
            s += v * v - 10 * Math.cos(2 * Math.PI * v);
        }
        return s;
    }

    /** ZDT1: f1 = x1, g = 1 + 9 mean(x2..n), f2 = g (1 - sqrt(f1 / g)); true front f2 = 1 - sqrt(f1). */
    static double[] zdt1(double[] x) {
        double g = 1 + 9 * tailMean(x);
        return new double[] {x[0], g * (1 - Math.sqrt(x[0] / g))};
    }

    /** ZDT2: f2 = g (1 - (f1 / g)^2); true front f2 = 1 - f1^2. */
    static double[] zdt2(double[] x) {
        double g = 1 + 9 * tailMean(x);
        double r = x[0] / g;
        return new double[] {x[0], g * (1 - r * r)};
    }

    private static double tailMean(double[] x) {
        double s = 0;
        for (int i = 1; i < x.length; i++) {
            s += x[i];
        }
        return s / (x.length - 1);
    }

    /** Hypervolume of a 2-objective minimisation front w.r.t. a reference point (points beyond it ignored). */
    static double hypervolume2d(List<double[]> front, double r1, double r2) {
        List<double[]> pts = new ArrayList<>();
        for (double[] p : front) {
            if (p[0] < r1 && p[1] < r2) {
                pts.add(p);
            }
        }
        pts.sort(Comparator.comparingDouble(p -> p[0]));
        double hv = 0;
        double prevF2 = r2;
        for (double[] p : pts) {
            if (p[1] < prevF2) {
                hv += (r1 - p[0]) * (prevF2 - p[1]);
                prevF2 = p[1];
            }
        }
        return hv;
    }
}
