package dev.chimera.merge.cpu;

import dev.chimera.merge.method.TensorRandom;

/**
 * The sparsification of one task vector for the fused kernel, decided in a first pass: which entries survive
 * (TIES top-k by magnitude, or DARE's Bernoulli draw kept as a bitset) and the L1 rescale factor.
 * Mirrors {@code merge.method.Sparsifier} exactly.
 */
abstract class Mask {
    float scale = 1;

    /** Zeroes dropped entries of d (elements [start, start + len)) and applies the rescale factor. */
    abstract void apply(float[] d, long start, int len);

    static Mask magnitude(
            ElementReader base,
            ElementReader x,
            long n,
            double density,
            boolean rescale,
            CpuKernels.Scratch s,
            int slot) {
        long keep = (long) (density * n);
        float[] abs = s.big(slot, (int) n);
        float[] b = s.block(0);
        float[] v = s.block(1);
        double before = 0;
        for (long start = 0; start < n; start += CpuKernels.BLOCK) {
            int len = (int) Math.min(CpuKernels.BLOCK, n - start);
            base.read(start, b, len);
            x.read(start, v, len);
            for (int i = 0; i < len; i++) {
                float a = Math.abs(v[i] - b[i]);
                abs[(int) start + i] = a;
                before += a;
            }
        }
        if (keep <= 0) {
            return new Magnitude(Float.POSITIVE_INFINITY, 0);
        }
        TopK top = TopK.select(abs, (int) n, keep);
        Magnitude mask = new Magnitude(top.threshold, top.keepEqual);
        if (rescale) {
            double after = top.keepEqual * (double) top.threshold;
            for (int i = 0; i < n; i++) {
                after += abs[i] > top.threshold ? abs[i] : 0;
            }
            mask.scale = before < 1e-7 || after < 1e-7 ? 1 : (float) (before / after);
        }
        return mask;
    }

    static Mask random(
            ElementReader base,
            ElementReader x,
            long n,
            double density,
            boolean rescale,
            long key,
            CpuKernels.Scratch s,
            int slot) {
        long bound = TensorRandom.bound24(density);
        long[] bits = s.bits(slot, (int) ((n + 63) >>> 6));
        for (long i = 0; i < n; i++) {
            bits[(int) (i >>> 6)] |= ((TensorRandom.bits24(key, i) - bound) >>> 63) << (i & 63);
        }
        Random mask = new Random(bits);
        if (rescale) {
            float[] b = s.block(0);
            float[] v = s.block(1);
            double before = 0;
            double after = 0;
            for (long start = 0; start < n; start += CpuKernels.BLOCK) {
                int len = (int) Math.min(CpuKernels.BLOCK, n - start);
                base.read(start, b, len);
                x.read(start, v, len);
                for (int i = 0; i < len; i++) {
                    float a = Math.abs(v[i] - b[i]);
                    before += a;
                    long e = start + i;
                    after += Float.intBitsToFloat(
                            Float.floatToRawIntBits(a) & -(int) ((bits[(int) (e >>> 6)] >>> (e & 63)) & 1));
                }
            }
            mask.scale = before < 1e-7 || after < 1e-7 ? 1 : (float) (before / after);
        }
        return mask;
    }

    /** Keep |d| > threshold, and the first {@code keepEqual} entries equal to it. */
    static final class Magnitude extends Mask {
        private final float threshold;
        private final long keepEqual;
        private long takenEqual;

        Magnitude(float threshold, long keepEqual) {
            this.threshold = threshold;
            this.keepEqual = keepEqual;
        }

        @Override
        void apply(float[] d, long start, int len) {
            float t = threshold;
            for (int i = 0; i < len; i++) {
                float a = Math.abs(d[i]);
                int keep = a > t ? 1 : 0;
                if (a == t) { // rare: ties at the threshold, first ones in index order
                    keep = takenEqual < keepEqual ? 1 : 0;
                    takenEqual += keep;
                }
                d[i] = Float.intBitsToFloat(Float.floatToRawIntBits(d[i]) & -keep);
            }
            if (scale != 1) {
                for (int i = 0; i < len; i++) {
                    d[i] *= scale;
                }
            }
        }
    }

    /** A precomputed random keep/drop bitset. */
    static final class Random extends Mask {
        private final long[] bits;

        Random(long[] bits) {
            this.bits = bits;
        }

        @Override
        void apply(float[] d, long start, int len) {
            for (int i = 0; i < len; i++) {
                long e = start + i;
                int keep = (int) ((bits[(int) (e >>> 6)] >>> (e & 63)) & 1);
                d[i] = Float.intBitsToFloat(Float.floatToRawIntBits(d[i]) & -keep);
            }
            if (scale != 1) {
                for (int i = 0; i < len; i++) {
                    d[i] *= scale;
                }
            }
        }
    }
}
