package dev.chimera.merge.cpu;

import dev.chimera.tensor.F16;
import dev.chimera.merge.MergeException;
import dev.chimera.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.List;

/**
 * Decodes ranges of a tensor's elements, stored as safetensors chunks (memory-mapped), into float blocks. Bulk
 * copies into reused arrays, then a plain loop the JIT vectorises: no native allocation per tensor.
 */
final class ElementReader {
    private final DType dtype;
    private final long[] starts;
    private final Object[] views;
    private short[] shorts = new short[0];
    private double[] doubles = new double[0];

    ElementReader(List<ByteBuffer> chunks, DType dtype) {
        this.dtype = dtype;
        this.starts = new long[chunks.size() + 1];
        this.views = new Object[chunks.size()];
        for (int c = 0; c < chunks.size(); c++) {
            ByteBuffer b = chunks.get(c).duplicate().order(ByteOrder.LITTLE_ENDIAN);
            long elems = b.remaining() / dtype.size();
            starts[c + 1] = starts[c] + elems;
            views[c] = switch (dtype) {
                case BF16, F16 -> b.asShortBuffer();
                case F32 -> b.asFloatBuffer();
                case F64 -> b.asDoubleBuffer();
                default -> throw new MergeException("cannot compute on dtype " + dtype);
            };
        }
    }

    long size() {
        return starts[starts.length - 1];
    }

    /** Decodes elements [start, start + n) into dst[0, n). */
    void read(long start, float[] dst, int n) {
        int done = 0;
        int c = chunkOf(start);
        while (done < n) {
            int off = (int) (start + done - starts[c]);
            int len = (int) Math.min(n - done, starts[c + 1] - starts[c] - off);
            decode(c, off, dst, done, len);
            done += len;
            c++;
        }
    }

    private int chunkOf(long element) {
        int lo = 0;
        int hi = starts.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= element) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private void decode(int c, int off, float[] dst, int at, int len) {
        switch (dtype) {
            case F32 -> ((FloatBuffer) views[c]).get(off, dst, at, len);
            case BF16 -> {
                short[] s = shorts(len);
                ((ShortBuffer) views[c]).get(off, s, 0, len);
                for (int i = 0; i < len; i++) {
                    dst[at + i] = Float.intBitsToFloat((s[i] & 0xffff) << 16);
                }
            }
            case F16 -> {
                short[] s = shorts(len);
                ((ShortBuffer) views[c]).get(off, s, 0, len);
                for (int i = 0; i < len; i++) {
                    dst[at + i] = F16.toFloat(s[i]);
                }
            }
            case F64 -> {
                if (doubles.length < len) {
                    doubles = new double[len];
                }
                ((DoubleBuffer) views[c]).get(off, doubles, 0, len);
                for (int i = 0; i < len; i++) {
                    dst[at + i] = (float) doubles[i];
                }
            }
            default -> throw new MergeException("cannot compute on dtype " + dtype);
        }
    }

    private short[] shorts(int len) {
        if (shorts.length < len) {
            shorts = new short[len];
        }
        return shorts;
    }
}
