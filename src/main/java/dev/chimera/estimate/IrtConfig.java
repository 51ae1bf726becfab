package dev.chimera.estimate;

/**
 * Settings of the multidimensional 2PL fit (see {@link IrtModel}).
 *
 * @param dims dimension d of abilities and discriminations (tinyBenchmarks validates d in {2,5,10,15}; 2 is
 *     enough for the synthetic tests and is the default)
 * @param thetaPrecision precision of the Gaussian prior theta_i ~ N(0, I / thetaPrecision) in the joint fit
 * @param aPrecision precision of the prior a_j ~ N(0, I / aPrecision)
 * @param bPrecision precision of the prior b_j ~ N(0, 1 / bPrecision)
 * @param maxIterations maximum alternating sweeps (one Newton step per item, then one per model)
 * @param tolerance stop when the relative change of the log posterior over a sweep is below this
 * @param seed seed of the (otherwise deterministic) initialisation
 */
public record IrtConfig(
        int dims,
        double thetaPrecision,
        double aPrecision,
        double bPrecision,
        int maxIterations,
        double tolerance,
        long seed) {

    public IrtConfig {
        if (dims < 1 || dims > 64) {
            throw new EstimateException("IRT dims must be in 1..64, got " + dims);
        }
        if (!(thetaPrecision > 0) || !(aPrecision > 0) || !(bPrecision > 0)) {
            throw new EstimateException("IRT prior precisions must be > 0");
        }
        if (maxIterations < 1) {
            throw new EstimateException("IRT maxIterations must be >= 1");
        }
    }

    public static IrtConfig defaults() {
        return new IrtConfig(2, 1.0, 1.0, 0.1, 300, 1e-7, 42L);
    }

    public IrtConfig withDims(int d) {
        return new IrtConfig(d, thetaPrecision, aPrecision, bPrecision, maxIterations, tolerance, seed);
    }

    public IrtConfig withSeed(long s) {
        return new IrtConfig(dims, thetaPrecision, aPrecision, bPrecision, maxIterations, tolerance, s);
    }
}
