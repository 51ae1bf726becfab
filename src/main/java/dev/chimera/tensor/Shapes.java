package dev.chimera.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by {@link TensorSpec} and {@link TensorInfo}. */
final class Shapes {
    private Shapes() {}

    /** Copies and checks a shape: non-null, entries non-negative, element count fits a long. */
    static long[] checked(long[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException("shape is null");
        }
        long[] copy = shape.clone();
        for (long d : copy) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(copy));
            }
        }
        numel(copy); // throws ArithmeticException if the element count overflows
        return copy;
    }

    /**
     * Number of elements, multiplying left to right like the reference implementation.
     *
     * @throws ArithmeticException on overflow
     */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Byte size of a tensor.
     *
     * @throws ArithmeticException on overflow
     */
    static long byteSize(long[] shape, int elementSize) {
        return Math.multiplyExact(numel(shape), elementSize);
    }

    /** Rows: the first dimension, or 1 for a scalar. */
    static long rows(long[] shape) {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Bytes per row (product of shape[1:] times the element size); 0 when there are no rows. */
    static long rowBytes(long[] shape, int elementSize) {
        long rows = rows(shape);
        return rows == 0 ? 0 : byteSize(shape, elementSize) / rows;
    }
}
