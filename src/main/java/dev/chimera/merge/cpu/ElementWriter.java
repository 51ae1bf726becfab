package dev.chimera.merge.cpu;

import dev.chimera.tensor.Bf16;
import dev.chimera.tensor.F16;
import dev.chimera.merge.MergeException;
import dev.chimera.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes float blocks as the output dtype into direct buffers that a worker thread reuses from tensor to tensor
 * (pieces of at most 1 GiB), so steady-state merging allocates nothing.
 */
final class ElementWriter {
    static final int PIECE_BYTES = 1 << 30;
    private final List<ByteBuffer> pieces = new ArrayList<>();
    private DType dtype;
    private long bytes;
    private short[] shorts = new short[0];

    /** Prepares for a tensor of {@code elements} elements of {@code dtype}; reuses earlier buffers. */
    void begin(DType dtype, long elements) {
        this.dtype = dtype;
        this.bytes = elements * dtype.size();
        int needed = (int) ((bytes + PIECE_BYTES - 1) / PIECE_BYTES);
        for (int i = 0; i < needed; i++) {
            int size = (int) Math.min(PIECE_BYTES, bytes - (long) i * PIECE_BYTES);
            if (i >= pieces.size()) {
                pieces.add(ByteBuffer.allocateDirect(Math.max(size, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN));
            } else if (pieces.get(i).capacity() < size) {
                pieces.set(i, ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN));
            }
        }
    }

    /** Encodes src[0, n) as elements [start, start + n). Blocks must not straddle a piece boundary. */
    void write(long start, float[] src, int n) {
        long byteStart = start * dtype.size();
        ByteBuffer piece = pieces.get((int) (byteStart / PIECE_BYTES));
        int at = (int) (byteStart % PIECE_BYTES);
        switch (dtype) {
            case F32 -> piece.asFloatBuffer().put(at / 4, src, 0, n);
            case BF16 -> {
                short[] s = shorts(n);
                for (int i = 0; i < n; i++) {
                    s[i] = Bf16.fromFloat(src[i]);
                }
                piece.asShortBuffer().put(at / 2, s, 0, n);
            }
            case F16 -> {
                short[] s = shorts(n);
                for (int i = 0; i < n; i++) {
                    s[i] = F16.fromFloat(src[i]);
                }
                piece.asShortBuffer().put(at / 2, s, 0, n);
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    piece.putDouble(at + i * 8, src[i]);
                }
            }
            default -> throw new MergeException("cannot write merged values as " + dtype);
        }
    }

    /** The encoded tensor as read-only slices of the reused buffers (valid until the next {@link #begin}). */
    List<ByteBuffer> result() {
        List<ByteBuffer> out = new ArrayList<>();
        long left = bytes;
        for (int i = 0; left > 0; i++) {
            int len = (int) Math.min(PIECE_BYTES, left);
            out.add(pieces.get(i).duplicate().position(0).limit(len).slice().asReadOnlyBuffer());
            left -= len;
        }
        if (out.isEmpty()) {
            out.add(ByteBuffer.allocate(0));
        }
        return out;
    }

    private short[] shorts(int n) {
        if (shorts.length < n) {
            shorts = new short[n];
        }
        return shorts;
    }
}
