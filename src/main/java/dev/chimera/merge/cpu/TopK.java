package dev.chimera.merge.cpu;

/**
 * Exact top-k of non-negative floats by radix selection on their bit patterns (which order like the values):
 * two histogram passes, O(n), no sorting. Gives the k-th largest value and how many entries equal to it are kept
 * (the first in index order), matching the DJL path's rule.
 */
final class TopK {
    final float threshold;
    final long keepEqual;

    private TopK(float threshold, long keepEqual) {
        this.threshold = threshold;
        this.keepEqual = keepEqual;
    }

    static TopK select(float[] abs, int n, long k) {
        long[] hist = new long[1 << 16];
        for (int i = 0; i < n; i++) {
            hist[Float.floatToRawIntBits(abs[i]) >>> 16]++;
        }
        long above = 0;
        int hi = hist.length - 1;
        while (above + hist[hi] < k) {
            above += hist[hi];
            hi--;
        }
        long[] low = new long[1 << 16];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(abs[i]);
            if (bits >>> 16 == hi) {
                low[bits & 0xffff]++;
            }
        }
        int lo = low.length - 1;
        while (above + low[lo] < k) {
            above += low[lo];
            lo--;
        }
        return new TopK(Float.intBitsToFloat((hi << 16) | lo), k - above);
    }
}
