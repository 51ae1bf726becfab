package dev.chimera.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a tensor is, without where it lives: name, dtype and shape. Used to plan output files.
 *
 * @param name tensor name, e.g. {@code model.layers.0.mlp.up_proj.weight}
 * @param dtype element type
 * @param shape dimensions, row-major; copied on the way in and out
 */
public record TensorSpec(String name, DType dtype, long[] shape) {

    /**
     * @throws IllegalArgumentException for a null part, a negative dimension or a size that
     *     overflows a long
     */
    public TensorSpec {
        if (name == null || dtype == null) {
            throw new IllegalArgumentException("tensor name and dtype are required");
        }
        try {
            shape = Shapes.checked(shape);
            Shapes.byteSize(shape, dtype.size());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "tensor " + name + ": size of shape " + Arrays.toString(shape) + " overflows");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor " + name + ": " + e.getMessage());
        }
    }

    /** The spec part of a tensor found in a file. */
    public static TensorSpec of(TensorInfo info) {
        return info.spec();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public long numel() {
        return Shapes.numel(shape);
    }

    /** Size of the data in bytes. */
    public long byteSize() {
        return Shapes.byteSize(shape, dtype.size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
