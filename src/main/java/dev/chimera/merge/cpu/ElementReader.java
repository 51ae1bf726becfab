package dev.chimera.merge.cpu;

import dev.chimera.tensor.DType;
import dev.chimera.tensor.FloatCodec;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Decodes ranges of a tensor's elements, stored as safetensors chunks (memory-mapped), into float blocks with
 * {@link FloatCodec}: no native allocation per tensor.
 */
final class ElementReader {
    private final DType dtype;
    private final long[] starts;
    private final ByteBuffer[] chunks;

    ElementReader(List<ByteBuffer> chunks, DType dtype) {
        this.dtype = dtype;
        this.starts = new long[chunks.size() + 1];
        this.chunks = new ByteBuffer[chunks.size()];
        for (int c = 0; c < chunks.size(); c++) {
            this.chunks[c] = chunks.get(c).slice();
            starts[c + 1] = starts[c] + chunks.get(c).remaining() / dtype.size();
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
            FloatCodec.decode(chunks[c], off, dst, done, len, dtype);
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
}
