package dev.chimera.merge.method;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Deterministic uniform numbers for one output tensor. Derived from (seed, tensor name), so a merge gives the same
 * result whatever the thread count or the order tensors are processed in — unlike a global torch generator.
 */
public final class TensorRandom {
    private final long seed;

    public TensorRandom(long globalSeed, String tensorName) {
        this.seed = mix(globalSeed ^ mix(tensorName.hashCode() * 0x9E3779B97F4A7C15L + tensorName.length()));
    }

    /** A direct buffer of n floats uniform in [0, 1), stream {@code stream} (e.g. the input index). */
    public ByteBuffer uniform(long n, int stream) {
        if (n > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("tensor too large for one random buffer: " + n);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect((int) n * 4).order(ByteOrder.nativeOrder());
        FloatBuffer f = buf.asFloatBuffer();
        SplittableRandom r = new SplittableRandom(mix(seed + 0x632BE59BD9B4E019L * (stream + 1)));
        for (int i = 0; i < n; i++) {
            f.put(i, (r.nextInt() >>> 8) * 0x1.0p-24f);
        }
        return buf;
    }

    /** A generator for other sampling (e.g. subsampling for quantiles). */
    public SplittableRandom generator(int stream) {
        return new SplittableRandom(mix(seed + 0x9E3779B97F4A7C15L * (stream + 7)));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
