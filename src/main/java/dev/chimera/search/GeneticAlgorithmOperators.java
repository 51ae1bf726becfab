package dev.chimera.search;

import java.util.random.RandomGenerator;

/**
 * Real-coded variation operators on single genes, shared by {@link GeneticAlgorithm} and {@link Nsga2}. Every
 * operator keeps its result inside the closed interval [lo, hi] and leaves a zero-width gene unchanged.
 *
 * <p>Written here rather than taken from Jenetics: Jenetics 7.2's {@code io.jenetics.ext.SimulatedBinaryCrossover}
 * centres its children on (x1 - x2) / 2 instead of (x1 + x2) / 2 and changes only one parent;
 * {@code IntermediateCrossover} uses the first gene's bounds for all genes; {@code GaussianMutator} has a fixed
 * sigma of a quarter of the range. None is Deb's operator, so the NSGA-II and GA numbers would not be comparable
 * with the literature.
 */
final class GeneticAlgorithmOperators {
    /** Parents closer than this are not recombined by SBX (as in Deb's reference code). */
    static final double SBX_EPS = 1.0e-14;

    private GeneticAlgorithmOperators() {}

    /**
     * Simulated binary crossover of one variable, bounded version (Deb &amp; Agrawal 1995, "Simulated binary crossover
     * for continuous search space", Complex Systems 9; the bounded spread factor as in Deb's NSGA-II reference code):
     * the spread distribution is cut at the bounds so children never need clipping except for round-off.
     *
     * @return the two children {c1, c2}; c1 is the child near the smaller parent before the final coin flip, which
     *     swaps them with probability 1/2 so children are not biased towards their parent's side.
     */
    static double[] sbx(double x1, double x2, double lo, double hi, double eta, RandomGenerator r) {
        if (!(Math.abs(x1 - x2) > SBX_EPS) || !(hi > lo)) {
            return new double[] {x1, x2};
        }
        double y1 = Math.min(x1, x2);
        double y2 = Math.max(x1, x2);
        double u = r.nextDouble();
        double c1 = 0.5 * ((y1 + y2) - betaq(1.0 + 2.0 * (y1 - lo) / (y2 - y1), u, eta) * (y2 - y1));
        double c2 = 0.5 * ((y1 + y2) + betaq(1.0 + 2.0 * (hi - y2) / (y2 - y1), u, eta) * (y2 - y1));
        c1 = clamp(c1, lo, hi);
        c2 = clamp(c2, lo, hi);
        return r.nextDouble() <= 0.5 ? new double[] {c2, c1} : new double[] {c1, c2};
    }

    /** Spread factor for a uniform draw u, with the probability mass beyond the bound (beta) folded in. */
    private static double betaq(double beta, double u, double eta) {
        double alpha = 2.0 - Math.pow(beta, -(eta + 1.0));
        return u <= 1.0 / alpha
                ? Math.pow(u * alpha, 1.0 / (eta + 1.0))
                : Math.pow(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0));
    }

    /**
     * BLX-alpha (Eshelman &amp; Schaffer 1993, "Real-coded genetic algorithms and interval-schemata", FOGA 2): a child
     * uniform in [min - alpha d, max + alpha d] with d = |x1 - x2|, clipped into the bounds.
     */
    static double blend(double x1, double x2, double lo, double hi, double alpha, RandomGenerator r) {
        double min = Math.min(x1, x2);
        double d = Math.max(x1, x2) - min;
        return clamp(min - alpha * d + r.nextDouble() * (1 + 2 * alpha) * d, lo, hi);
    }

    /**
     * Polynomial mutation (Deb &amp; Goyal 1996, "A combined genetic adaptive search (GeneAS) for engineering design";
     * the bounded variant of Deb's NSGA-II reference code, also pymoo's): the perturbation's distribution shrinks
     * towards the nearer bound so the result stays inside.
     */
    static double polynomial(double x, double lo, double hi, double eta, RandomGenerator r) {
        if (!(hi > lo)) {
            return x;
        }
        double delta1 = (x - lo) / (hi - lo);
        double delta2 = (hi - x) / (hi - lo);
        double u = r.nextDouble();
        double pow = 1.0 / (eta + 1.0);
        double deltaq;
        if (u <= 0.5) {
            double val = 2.0 * u + (1.0 - 2.0 * u) * Math.pow(1.0 - delta1, eta + 1.0);
            deltaq = Math.pow(val, pow) - 1.0;
        } else {
            double val = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * Math.pow(1.0 - delta2, eta + 1.0);
            deltaq = 1.0 - Math.pow(val, pow);
        }
        return clamp(x + deltaq * (hi - lo), lo, hi);
    }

    /** Gaussian mutation: x + sigma N(0, 1), clipped into the bounds. */
    static double gaussian(double x, double lo, double hi, double sigma, RandomGenerator r) {
        if (!(hi > lo)) {
            return x;
        }
        return clamp(x + sigma * r.nextGaussian(), lo, hi);
    }

    /** Uniform in [lo, hi]. */
    static double uniform(double lo, double hi, RandomGenerator r) {
        return clamp(lo + r.nextDouble() * (hi - lo), lo, hi);
    }

    /** {@code count} points uniform in the bounds, drawn point by point, gene by gene: a first generation. */
    static double[][] uniform(Bounds bounds, int count, RandomGenerator r) {
        double[][] points = new double[count][bounds.dimension()];
        for (double[] x : points) {
            for (int j = 0; j < x.length; j++) {
                x[j] = uniform(bounds.lower(j), bounds.upper(j), r);
            }
        }
        return points;
    }

    static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : v > hi ? hi : v;
    }

    /**
     * Value used for ranking a told objective: NaN (a failed evaluation) ranks below everything, and -0.0 equals 0.0
     * so that Double.compare and &lt; agree.
     */
    static double rankable(double v) {
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v + 0.0;
    }

    static double[] rankable(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = rankable(v[i]);
        }
        return out;
    }
}
