package dev.chimera.merge;

import dev.chimera.merge.method.Params;
import dev.chimera.tensor.DType;
import java.util.List;
import java.util.Map;

/**
 * The merge of one output tensor: which input tensors, which is the base, the resolved parameters, and the output
 * dtype and shape. A {@link MergePlan} is a list of these.
 *
 * @param output     output tensor name
 * @param sources    inputs, in slice-source order
 * @param baseIndex  index of the base in {@code sources}, or -1
 * @param global     resolved global parameters
 * @param perInput   resolved per-input parameters
 * @param embed      embedding or lm_head (trimmed when vocab sizes differ)
 * @param copy       a non-float tensor, copied from the first source instead of merged
 * @param outDtype   dtype written
 * @param outShape   shape written
 * @param rowSources for embeddings when vocabularies differ: per input, the input row of each output row (-1 when
 *                   the input lacks that token), or null when inputs are used as they are
 * @param rowOverrides the tokenizer block's per-token sources: per output row {input index (-1: zeros), that input's
 *                   row, force (1) or not (0)}; empty without them
 */
public record TensorMerge(
        String output,
        List<Source> sources,
        int baseIndex,
        Params global,
        List<Params> perInput,
        boolean embed,
        boolean copy,
        DType outDtype,
        long[] outShape,
        List<int[]> rowSources,
        Map<Integer, int[]> rowOverrides) {

    public TensorMerge {
        rowOverrides = rowOverrides == null ? Map.of() : Map.copyOf(rowOverrides);
        sources = List.copyOf(sources);
        perInput = List.copyOf(perInput);
        outShape = outShape.clone();
        rowSources = rowSources == null ? null : List.copyOf(rowSources);
    }

    @Override
    public long[] outShape() {
        return outShape.clone();
    }

    public List<String> models() {
        return sources.stream().map(Source::model).toList();
    }

    /** One input: a tensor of a model. */
    public record Source(String model, String tensor) {}
}
