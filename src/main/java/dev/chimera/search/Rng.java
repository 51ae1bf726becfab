package dev.chimera.search;

import java.util.random.RandomGenerator;

/**
 * A small random generator whose whole state is two longs, so optimizers can put it in their JSON snapshot and
 * continue bit-exactly (java.util's generators hide their state). SplitMix64 stream; Gaussian by Box-Muller with
 * the spare value kept in the state.
 */
public final class Rng implements RandomGenerator {
    private long state;
    private double spare;
    private boolean hasSpare;

    public Rng(long seed) {
        this.state = seed;
    }

    @Override
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    @Override
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.sqrt(-2 * Math.log(s) / s);
        spare = v * f;
        hasSpare = true;
        return u * f;
    }

    /** Uniform in [0, n). */
    public int nextIndex(int n) {
        return (int) Math.floorMod(nextLong(), (long) n); // n is small: modulo bias below 2^-40
    }

    /** State for snapshots: {state, spare bits, hasSpare}. */
    public long[] state() {
        return new long[] {state, Double.doubleToRawLongBits(spare), hasSpare ? 1 : 0};
    }

    public static Rng restore(long[] s) {
        Rng r = new Rng(0);
        r.state = s[0];
        r.spare = Double.longBitsToDouble(s[1]);
        r.hasSpare = s[2] != 0;
        return r;
    }
}
