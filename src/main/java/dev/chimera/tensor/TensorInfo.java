package dev.chimera.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor as described by a safetensors header.
 *
 * @param name tensor name
 * @param dtype element type
 * @param shape dimensions, row-major; copied on the way in and out
 * @param begin first byte, relative to the start of the data section (the byte after the header)
 * @param end one past the last byte, relative to the data section
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    /**
     * @throws IllegalArgumentException if a part is null, a dimension negative, the size overflows,
     *     or {@code end - begin} is not the size implied by dtype and shape
     */
    public TensorInfo {
        TensorSpec spec = new TensorSpec(name, dtype, shape); // validates name, dtype and shape
        shape = spec.shape();
        if (begin < 0 || end < begin || end - begin != spec.byteSize()) {
            throw new IllegalArgumentException("tensor " + name + ": data_offsets [" + begin + ", " + end
                    + "] do not hold " + spec.byteSize() + " bytes");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Name, dtype and shape without the location. */
    public TensorSpec spec() {
        return new TensorSpec(name, dtype, shape);
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public long numel() {
        return Shapes.numel(shape);
    }

    /** Size of the data in bytes ({@code end - begin}). */
    public long byteSize() {
        return end - begin;
    }

    /** The first dimension, or 1 for a scalar. */
    public long rows() {
        return Shapes.rows(shape);
    }

    /** Bytes in one row (product of {@code shape[1:]} times the element size); 0 if no rows. */
    public long rowBytes() {
        return Shapes.rowBytes(shape, dtype.size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t
                && name.equals(t.name)
                && dtype == t.dtype
                && Arrays.equals(shape, t.shape)
                && begin == t.begin
                && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return spec() + " @[" + begin + ", " + end + ")";
    }
}
