package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/** Small NDArray helpers shared by the merge methods. */
public final class Nd {
    private Nd() {}

    public static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }

    public static NDArray toFloat(NDArray boolOrInt) {
        return boolOrInt.toType(DataType.FLOAT32, false);
    }

    /** Sum of |a| as a double (L1 norm), accumulated in float64 for long tensors. */
    public static double l1(NDArray a) {
        return scalar(a.toType(DataType.FLOAT64, false).abs().sum());
    }

    /** Euclidean norm of the whole tensor, accumulated in float64. */
    public static double l2(NDArray a) {
        NDArray d = a.toType(DataType.FLOAT64, false);
        return Math.sqrt(scalar(d.mul(d).sum()));
    }

    /** Float64 dot product of two flattened tensors. */
    public static double dot(NDArray a, NDArray b) {
        return scalar(a.toType(DataType.FLOAT64, false)
                .mul(b.toType(DataType.FLOAT64, false))
                .sum());
    }

    public static NDArray stack(List<NDArray> xs) {
        return NDArrays.stack(new NDList(xs));
    }

    /** The leading [rows, cols] sub-matrix of a 2-D tensor. */
    public static NDArray submatrix(NDArray a, long rows, long cols) {
        if (a.getShape().get(0) == rows && a.getShape().get(1) == cols) {
            return a;
        }
        return a.get(new NDIndex(":{}, :{}", rows, cols));
    }

    /**
     * mergekit's {@code rectify_embed_sizes}: for embeddings/lm_head whose inputs are all 2-D, cut every input to
     * the largest common sub-matrix. Returns a new list; other tensors are returned unchanged.
     */
    public static List<NDArray> rectifyEmbeds(MergeInput in, List<NDArray> xs) {
        if (!in.embed() || !xs.stream().allMatch(x -> x.getShape().dimension() == 2)) {
            return xs;
        }
        long rows = xs.stream().mapToLong(x -> x.getShape().get(0)).min().orElseThrow();
        long cols = xs.stream().mapToLong(x -> x.getShape().get(1)).min().orElseThrow();
        List<NDArray> out = new ArrayList<>();
        for (NDArray x : xs) {
            out.add(submatrix(x, rows, cols));
        }
        return out;
    }

    /** Throws a clear error unless all tensors have one shape. */
    public static void requireSameShape(MergeInput in, List<NDArray> xs, List<String> models) {
        Shape s0 = xs.get(0).getShape();
        for (int i = 1; i < xs.size(); i++) {
            if (!xs.get(i).getShape().equals(s0)) {
                throw new MergeException(
                        "tensor " + in.tensorName() + ": shape " + xs.get(i).getShape() + " in " + models.get(i)
                                + " differs from " + s0 + " in " + models.get(0));
            }
        }
    }

    /** Inputs selected by index. */
    public static List<NDArray> pick(MergeInput in, int[] idx) {
        List<NDArray> out = new ArrayList<>();
        for (int i : idx) {
            out.add(in.tensors().get(i));
        }
        return out;
    }

    public static List<String> pickModels(MergeInput in, int[] idx) {
        List<String> out = new ArrayList<>();
        for (int i : idx) {
            out.add(in.models().get(i));
        }
        return out;
    }
}
