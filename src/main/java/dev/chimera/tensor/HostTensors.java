package dev.chimera.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves tensors between safetensors bytes and float32 NDArrays (for the merge and the model). The conversion of bf16/f16 runs in Java because
 * DJL's PyTorch JNI (0.36) aborts the JVM on bf16 buffers; float32 is the compute type everywhere (mergekit computes
 * in the storage dtype, so results can differ from it by an ulp of that dtype where values cancel).
 * Pieces stay below 2^28 elements so no Java buffer reaches the 2 GiB limit, whatever the tensor size.
 */
public final class HostTensors {
    static final long PIECE_ELEMENTS = 1L << 28;
    private final long pieceElements;

    public HostTensors() {
        this(PIECE_ELEMENTS);
    }

    /** For tests: a small piece size exercises the multi-piece path on small tensors. */
    public HostTensors(long pieceElements) {
        this.pieceElements = pieceElements;
    }

    /** Reads a tensor (given as chunks of little-endian bytes) into a float32 NDArray of the given shape. */
    public NDArray toFloat32(NDManager manager, List<ByteBuffer> chunks, DType dtype, long[] shape) {
        List<NDArray> pieces = new ArrayList<>();
        for (ByteBuffer chunk : chunks) {
            ByteBuffer src = chunk.slice();
            long elems = src.remaining() / dtype.size();
            for (long start = 0; start < elems; start += pieceElements) {
                int n = (int) Math.min(pieceElements, elems - start);
                float[] values = new float[n];
                FloatCodec.decode(src, (int) start, values, 0, n, dtype);
                ByteBuffer dst = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
                dst.asFloatBuffer().put(values);
                pieces.add(manager.create(dst, new Shape(n), DataType.FLOAT32));
            }
        }
        NDArray flat;
        if (pieces.isEmpty()) {
            flat = manager.zeros(new Shape(0), DataType.FLOAT32);
        } else if (pieces.size() == 1) {
            flat = pieces.get(0);
        } else {
            flat = NDArrays.concat(new NDList(pieces), 0);
        }
        return flat.reshape(new Shape(shape));
    }

    /** Encodes a float32 NDArray as little-endian bytes of {@code dtype}, in pieces below 2 GiB. */
    public List<ByteBuffer> encode(NDArray array, DType dtype) {
        NDArray flat = array.getDataType() == DataType.FLOAT32
                ? array.flatten()
                : array.toType(DataType.FLOAT32, false).flatten();
        long n = flat.size();
        List<ByteBuffer> out = new ArrayList<>();
        for (long start = 0; start < n; start += pieceElements) {
            long end = Math.min(n, start + pieceElements);
            NDArray piece = start == 0 && end == n ? flat : flat.get(new NDIndex("{}:{}", start, end));
            int len = (int) (end - start);
            float[] values = new float[len];
            piece.toByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer().get(values);
            ByteBuffer dst = ByteBuffer.allocateDirect(len * dtype.size()).order(ByteOrder.LITTLE_ENDIAN);
            FloatCodec.encode(values, len, dtype, dst, 0);
            out.add(dst);
            if (piece != flat) {
                piece.close();
            }
        }
        return out;
    }
}
