package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
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

    static final long PIECE = 1L << 28;

    /**
     * n floats uniform in [0, 1) as a float32 array of the given shape on {@code manager}: element i is
     * {@link #uniformAt}(key(stream), i). Built in pieces of 2^28 elements, so tensors beyond 2 GiB work.
     */
    public NDArray uniform(NDManager manager, long n, int stream, Shape shape) {
        return uniform(manager, n, stream, shape, PIECE);
    }

    NDArray uniform(NDManager manager, long n, int stream, Shape shape, long piece) {
        long key = key(stream);
        List<NDArray> parts = new ArrayList<>();
        for (long start = 0; start < n || parts.isEmpty(); start += piece) {
            int len = (int) Math.min(piece, n - start);
            ByteBuffer buf = ByteBuffer.allocateDirect(len * 4).order(ByteOrder.nativeOrder());
            FloatBuffer f = buf.asFloatBuffer();
            for (int i = 0; i < len; i++) {
                f.put(i, uniformAt(key, start + i));
            }
            parts.add(manager.create(buf, new Shape(len), DataType.FLOAT32));
            if (len == 0) {
                break;
            }
        }
        NDArray flat = parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
        return flat.reshape(shape);
    }

    /** The key of one random stream (e.g. one input model) of this tensor. */
    public long key(int stream) {
        return mix(seed + 0x632BE59BD9B4E019L * (stream + 1));
    }

    /**
     * Counter-based uniform number for element i: a pure function of (key, i), so any block order, thread count
     * or device produces the same mask.
     */
    public static float uniformAt(long key, long i) {
        return bits24(key, i) * 0x1.0p-24f;
    }

    /** The 24 random bits behind {@link #uniformAt}: {@code uniformAt(key, i) < p} exactly when {@code bits24(key, i) < ceil(p * 2^24)}. */
    public static long bits24(long key, long i) {
        return mix(key + i * 0x9E3779B97F4A7C15L) >>> 40;
    }

    /** The integer bound T with {@code uniformAt(key, i) < p} if and only if {@code bits24(key, i) < T}. */
    public static long bound24(double p) {
        return (long) Math.ceil((double) (float) p * 0x1.0p24);
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
