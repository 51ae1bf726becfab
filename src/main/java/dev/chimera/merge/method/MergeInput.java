package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What a merge method sees for one output tensor: the input tensors (float32, in source order, all attached to
 * {@link #manager()} so closing it frees every intermediate), which one is the base, the resolved parameters,
 * and a deterministic random source for methods that sample.
 *
 * @param tensorName output tensor name (used in messages and filters)
 * @param embed      true for embedding tables and lm_head, which mergekit trims when vocab sizes differ
 * @param tensors    inputs in source order
 * @param models     model reference of each input (for messages)
 * @param baseIndex  index of the base model's tensor in {@code tensors}, or -1
 * @param global     global (per-tensor) parameters
 * @param perInput   per-input parameters, aligned with {@code tensors}
 * @param random     per-tensor random source, reproducible for a seed
 */
public record MergeInput(
        String tensorName,
        boolean embed,
        List<NDArray> tensors,
        List<String> models,
        int baseIndex,
        Params global,
        List<Params> perInput,
        TensorRandom random,
        NDManager manager) {

    public boolean hasBase() {
        return baseIndex >= 0;
    }

    public NDArray base() {
        return tensors.get(baseIndex);
    }

    public int size() {
        return tensors.size();
    }

    /** Indices of the non-base inputs, in source order. */
    public int[] others() {
        return IntStream.range(0, tensors.size()).filter(i -> i != baseIndex).toArray();
    }
}
