package dev.chimera.merge.cpu;

import dev.chimera.tensor.DType;
import dev.chimera.tensor.FloatCodec;
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
        FloatCodec.encode(src, n, dtype, piece, (int) (byteStart % PIECE_BYTES) / dtype.size());
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
}
