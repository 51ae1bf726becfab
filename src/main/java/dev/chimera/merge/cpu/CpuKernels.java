package dev.chimera.merge.cpu;

import dev.chimera.merge.method.Params;
import dev.chimera.merge.method.TensorRandom;
import dev.chimera.tensor.DType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Fused single-pass CPU kernels for the methods that dominate real merges (linear, task arithmetic, TIES, DARE,
 * slerp). The DJL path materialises every intermediate as a fresh native tensor, and on CPU fresh memory costs a
 * page fault per 4 KiB; these kernels stream the inputs in cache-sized blocks through reused arrays instead.
 * They compute exactly what the {@code merge.method} classes compute (same float32 operations, same tie-breaking,
 * same counter-based random masks); {@code CpuKernelAgreementTest} checks the two against each other.
 */
public final class CpuKernels {
    static final int BLOCK = 16_384;
    private static final Set<String> TASK_VECTOR = Set.of("task_arithmetic", "ties", "dare_ties", "dare_linear");
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final AtomicLong TENSORS = new AtomicLong();

    /** Tensors merged by the kernels since start (lets tests prove the fast path ran). */
    public static long tensorsMerged() {
        return TENSORS.get();
    }

    private CpuKernels() {}

    /**
     * What a kernel needs of one output tensor: its name (the seed of DARE's masks), the base model's input index (-1:
     * none), the method's global and per-input parameters, and the output's dtype and shape.
     */
    public record Tensor(
            String output, int baseIndex, Params global, List<Params> perInput, DType outDtype, long[] outShape) {
        public Tensor {
            perInput = List.copyOf(perInput);
            outShape = outShape.clone();
        }

        @Override
        public long[] outShape() {
            return outShape.clone();
        }
    }

    /** Whether a kernel handles this tensor (same-shape float inputs of a supported method). */
    public static boolean supports(String method, Tensor tm, List<long[]> inputShapes) {
        for (long[] s : inputShapes) {
            if (!Arrays.equals(s, tm.outShape())) {
                return false;
            }
        }
        long n = 1;
        for (long d : tm.outShape()) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 16) {
            return false;
        }
        return method.equals("linear")
                || method.equals("slerp") && tm.perInput().size() == 2 && tm.baseIndex() >= 0
                || TASK_VECTOR.contains(method) && tm.baseIndex() >= 0;
    }

    /** Merges one tensor; returns its encoded bytes (buffers reused by this thread until its next call). */
    public static List<ByteBuffer> merge(
            String method, Tensor tm, List<List<ByteBuffer>> chunks, List<DType> dtypes, long seed) {
        TENSORS.incrementAndGet();
        Scratch s = SCRATCH.get();
        ElementReader[] in = new ElementReader[chunks.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = new ElementReader(chunks.get(i), dtypes.get(i));
        }
        long n = in[0].size();
        s.out.begin(tm.outDtype(), n);
        switch (method) {
            case "linear" -> linear(tm, in, s, n);
            case "slerp" -> slerp(tm, in, s, n);
            default -> taskVectors(method, tm, in, s, n, new TensorRandom(seed, tm.output()));
        }
        return s.out.result();
    }

    private static void linear(Tensor tm, ElementReader[] in, Scratch s, long n) {
        int m = in.length;
        float[] w = new float[m];
        double wsum = 0;
        for (int k = 0; k < m; k++) {
            double wk = tm.perInput().get(k).number("weight");
            w[k] = (float) wk;
            wsum += wk;
        }
        boolean normalize = tm.global().bool("normalize");
        float div = (float) wsum;
        float[] acc = s.block(0);
        float[] x = s.block(1);
        for (long start = 0; start < n; start += BLOCK) {
            int len = (int) Math.min(BLOCK, n - start);
            in[0].read(start, acc, len);
            for (int i = 0; i < len; i++) {
                acc[i] *= w[0];
            }
            for (int k = 1; k < m; k++) {
                in[k].read(start, x, len);
                float wk = w[k];
                for (int i = 0; i < len; i++) {
                    acc[i] += x[i] * wk;
                }
            }
            if (normalize) {
                for (int i = 0; i < len; i++) {
                    acc[i] /= div;
                }
            }
            s.out.write(start, acc, len);
        }
    }

    private static void slerp(Tensor tm, ElementReader[] in, Scratch s, long n) {
        ElementReader a = in[tm.baseIndex()];
        ElementReader b = in[1 - tm.baseIndex()];
        float[] va = s.block(0);
        float[] vb = s.block(1);
        double naa = 0;
        double nbb = 0;
        double dab = 0;
        for (long start = 0; start < n; start += BLOCK) {
            int len = (int) Math.min(BLOCK, n - start);
            a.read(start, va, len);
            b.read(start, vb, len);
            for (int i = 0; i < len; i++) {
                double x = va[i];
                double y = vb[i];
                naa += x * x;
                nbb += y * y;
                dab += x * y;
            }
        }
        double t = tm.global().number("t");
        double n0 = Math.sqrt(naa);
        double n1 = Math.sqrt(nbb);
        double dot = dab / ((n0 > 1e-8 ? n0 : 1) * (n1 > 1e-8 ? n1 : 1));
        float s0;
        float s1;
        if (Math.abs(dot) > 0.9995) {
            s0 = (float) (1 - t);
            s1 = (float) t;
        } else {
            double theta0 = Math.acos(dot);
            double sin0 = Math.sin(theta0);
            s0 = (float) (Math.sin(theta0 - theta0 * t) / sin0);
            s1 = (float) (Math.sin(theta0 * t) / sin0);
        }
        for (long start = 0; start < n; start += BLOCK) {
            int len = (int) Math.min(BLOCK, n - start);
            a.read(start, va, len);
            b.read(start, vb, len);
            for (int i = 0; i < len; i++) {
                va[i] = va[i] * s0 + vb[i] * s1;
            }
            s.out.write(start, va, len);
        }
    }

    /**
     * The task-vector family in two passes: a first pass per sparsified model decides its mask (top-k threshold,
     * or the random mask kept as a bitset) and its L1 rescale factor; the second pass streams the output. Masks and
     * sign election are computed with integer selects, because float selects compile to branches that random
     * data mispredicts half the time.
     */
    private static void taskVectors(String method, Tensor tm, ElementReader[] in, Scratch s, long n, TensorRandom rnd) {
        boolean consensus = method.equals("ties") || method.equals("dare_ties");
        boolean magnitude = method.equals("ties");
        boolean random = method.startsWith("dare");
        boolean rescale = tm.global().bool("rescale");
        boolean normalize = tm.global().bool("normalize");
        float lam = (float) tm.global().number("lambda");
        int base = tm.baseIndex();
        int[] others = IntStream.range(0, in.length).filter(i -> i != base).toArray();
        int m = others.length;
        float[] b = s.block(0);
        if (m == 0) {
            for (long start = 0; start < n; start += BLOCK) {
                int len = (int) Math.min(BLOCK, n - start);
                in[base].read(start, b, len);
                s.out.write(start, b, len);
            }
            return;
        }
        float[] w = new float[m];
        Mask[] masks = new Mask[m];
        for (int k = 0; k < m; k++) {
            var p = tm.perInput().get(others[k]);
            w[k] = (float) p.number("weight");
            double density = p.number("density");
            if (density < 1
                    && (magnitude || random)) { // task_arithmetic takes a density parameter but ignores it, as mergekit
                masks[k] = magnitude
                        ? Mask.magnitude(in[base], in[others[k]], n, density, rescale, s, k)
                        : Mask.random(in[base], in[others[k]], n, density, rescale, rnd.key(others[k]), s, k);
            }
        }
        float wsum = 0;
        for (float wk : w) {
            wsum += wk;
        }
        float plainDiv = Math.abs(wsum) < 1e-8 ? 1 : wsum;
        float[][] dk = new float[m][];
        for (int k = 0; k < m; k++) {
            dk[k] = s.block(2 + k);
        }
        float[] mixed = s.block(2 + m);
        float[] div = s.block(3 + m);
        for (long start = 0; start < n; start += BLOCK) {
            int len = (int) Math.min(BLOCK, n - start);
            in[base].read(start, b, len);
            for (int k = 0; k < m; k++) {
                float[] d = dk[k];
                in[others[k]].read(start, d, len);
                for (int i = 0; i < len; i++) {
                    d[i] = d[i] - b[i];
                }
                if (masks[k] != null) {
                    masks[k].apply(d, start, len);
                }
                float wk = w[k];
                for (int i = 0; i < len; i++) {
                    d[i] *= wk;
                }
            }
            if (consensus) {
                // loops over i (not over models inside i) so the JIT vectorises them; masks are integer ops
                float[] sign = s.block(4 + m);
                Arrays.fill(sign, 0, len, 0f);
                for (int k = 0; k < m; k++) {
                    float[] d = dk[k];
                    for (int i = 0; i < len; i++) {
                        sign[i] += d[i];
                    }
                }
                for (int i = 0; i < len; i++) {
                    sign[i] = Math.copySign(1f, sign[i] + 0f); // a zero sum (either sign) elects +1
                }
                Arrays.fill(mixed, 0, len, 0f);
                Arrays.fill(div, 0, len, 0f);
                for (int k = 0; k < m; k++) {
                    float[] d = dk[k];
                    int wbits = Float.floatToRawIntBits(w[k]);
                    for (int i = 0; i < len; i++) {
                        int pb = Float.floatToRawIntBits(d[i] * sign[i]);
                        int agree = (-pb >> 31) & ~(pb >> 31); // all ones when d * sign > 0
                        mixed[i] += Float.intBitsToFloat(Float.floatToRawIntBits(d[i]) & agree);
                        div[i] += Float.intBitsToFloat(wbits & agree);
                    }
                }
                for (int i = 0; i < len; i++) {
                    div[i] = div[i] == 0 ? 1 : div[i];
                }
            } else {
                for (int i = 0; i < len; i++) {
                    float mx = 0;
                    for (int k = 0; k < m; k++) {
                        mx += dk[k][i];
                    }
                    mixed[i] = mx;
                    div[i] = plainDiv;
                }
            }
            if (normalize) {
                for (int i = 0; i < len; i++) {
                    mixed[i] /= div[i];
                }
            }
            if (lam != 1) {
                for (int i = 0; i < len; i++) {
                    mixed[i] *= lam;
                }
            }
            for (int i = 0; i < len; i++) {
                b[i] = b[i] + mixed[i];
            }
            s.out.write(start, b, len);
        }
    }

    /** Per-thread reusable arrays. */
    static final class Scratch {
        final ElementWriter out = new ElementWriter();
        private final List<float[]> blocks = new ArrayList<>();
        private final List<float[]> bigs = new ArrayList<>();
        private final List<long[]> bitsets = new ArrayList<>();

        float[] block(int i) {
            while (blocks.size() <= i) {
                blocks.add(new float[BLOCK]);
            }
            return blocks.get(i);
        }

        long[] bits(int i, int words) {
            while (bitsets.size() <= i) {
                bitsets.add(new long[0]);
            }
            if (bitsets.get(i).length < words) {
                bitsets.set(i, new long[words]);
            }
            long[] bs = bitsets.get(i);
            Arrays.fill(bs, 0, words, 0L);
            return bs;
        }

        float[] big(int i, int n) {
            while (bigs.size() <= i) {
                bigs.add(new float[0]);
            }
            if (bigs.get(i).length < n) {
                bigs.set(i, new float[n]);
            }
            return bigs.get(i);
        }
    }
}
