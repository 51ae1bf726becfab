package dev.chimera.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Converts float tensors between little-endian safetensors bytes (F64, F32, F16, BF16) and {@code
 * float[]}. F64 is narrowed to float on decode. The range methods are the one decoder and encoder
 * of the project (merge kernels, {@link HostTensors}); they bulk-copy into reused scratch arrays and
 * convert in plain loops the JIT vectorises.
 */
public final class FloatCodec {
    private static final ThreadLocal<short[][]> SHORTS = ThreadLocal.withInitial(() -> new short[1][0]);
    private static final ThreadLocal<double[][]> DOUBLES = ThreadLocal.withInitial(() -> new double[1][0]);

    private FloatCodec() {}

    /**
     * Decodes {@code n} elements starting at element {@code from} of a little-endian buffer (absolute
     * positions from 0, the buffer's position is ignored) into {@code dst[at, at + n)}.
     */
    public static void decode(ByteBuffer le, int from, float[] dst, int at, int n, DType dtype) {
        ByteBuffer b = le.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(0);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(from, dst, at, n);
            case BF16 -> {
                short[] s = shorts(n);
                b.asShortBuffer().get(from, s, 0, n);
                for (int i = 0; i < n; i++) {
                    dst[at + i] = Bf16.toFloat(s[i]);
                }
            }
            case F16 -> {
                short[] s = shorts(n);
                b.asShortBuffer().get(from, s, 0, n);
                for (int i = 0; i < n; i++) {
                    dst[at + i] = F16.toFloat(s[i]);
                }
            }
            case F64 -> {
                double[][] holder = DOUBLES.get();
                if (holder[0].length < n) {
                    holder[0] = new double[n];
                }
                b.asDoubleBuffer().get(from, holder[0], 0, n);
                for (int i = 0; i < n; i++) {
                    dst[at + i] = (float) holder[0][i];
                }
            }
            default -> throw new IllegalArgumentException("not a 16/32/64-bit float dtype: " + dtype);
        }
    }

    /**
     * Encodes {@code src[0, n)} as {@code dtype} into a little-endian buffer at element {@code to}
     * (absolute, the buffer's position is ignored), rounding to nearest even.
     */
    public static void encode(float[] src, int n, DType dtype, ByteBuffer le, int to) {
        ByteBuffer b = le.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(0);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().put(to, src, 0, n);
            case BF16 -> {
                short[] s = shorts(n);
                for (int i = 0; i < n; i++) {
                    s[i] = Bf16.fromFloat(src[i]);
                }
                b.asShortBuffer().put(to, s, 0, n);
            }
            case F16 -> {
                short[] s = shorts(n);
                for (int i = 0; i < n; i++) {
                    s[i] = F16.fromFloat(src[i]);
                }
                b.asShortBuffer().put(to, s, 0, n);
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    b.putDouble((to + i) * 8, src[i]);
                }
            }
            default -> throw new IllegalArgumentException("not a 16/32/64-bit float dtype: " + dtype);
        }
    }

    private static short[] shorts(int n) {
        short[][] holder = SHORTS.get();
        if (holder[0].length < n) {
            holder[0] = new short[n];
        }
        return holder[0];
    }

    /** Encodes floats as {@code dtype}, rounding to nearest even where precision is lost. */
    public static byte[] encode(float[] values, DType dtype) {
        checkFloat(dtype);
        long bytes = (long) values.length * dtype.size();
        if (bytes > SafetensorsFile.DEFAULT_MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException(values.length + " values are too many for one array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        encode(values, values.length, dtype, out, 0);
        return out.array();
    }

    /** Decodes the remaining bytes of one buffer; its position is not changed. */
    public static float[] decode(ByteBuffer bytes, DType dtype) {
        return decode(List.of(bytes), dtype);
    }

    /** Decodes the remaining bytes of several chunks, in order; their positions are not changed. */
    public static float[] decode(List<ByteBuffer> chunks, DType dtype) {
        checkFloat(dtype);
        long total = 0;
        for (ByteBuffer c : chunks) {
            total += c.remaining();
        }
        if (total % dtype.size() != 0) {
            throw new IllegalArgumentException(total + " bytes is not a whole number of " + dtype);
        }
        if (total / dtype.size() > SafetensorsFile.DEFAULT_MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("tensor is too large for one float array");
        }
        float[] out = new float[(int) (total / dtype.size())];
        int i = 0;
        for (ByteBuffer chunk : chunks) {
            ByteBuffer b = chunk.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() % dtype.size() != 0) {
                throw new IllegalArgumentException("chunk splits a " + dtype + " element");
            }
            int n = b.remaining() / dtype.size();
            decode(b.slice(), 0, out, i, n, dtype);
            i += n;
        }
        return out;
    }

    private static void checkFloat(DType dtype) {
        if (dtype != DType.F64 && dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("not a 16/32/64-bit float dtype: " + dtype);
        }
    }
}
