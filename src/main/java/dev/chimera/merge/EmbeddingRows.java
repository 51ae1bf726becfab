package dev.chimera.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lines up embedding rows when vocabularies differ, as mergekit's {@code PermutedEmbeddings}: each input gets one
 * row per output token, its own where it has the token; otherwise a default row shared by all inputs: the only
 * input that has the token, else the base's row, else the mean of the inputs that have it, else zeros. Rows past
 * the vocabulary ({@link #PADDING}, tokenizer.pad_to_multiple_of) get each input's mean over its vocabulary rows.
 */
final class EmbeddingRows {
    /** The row source of a padding row. */
    static final int PADDING = -2;

    private EmbeddingRows() {}

    /**
     * Every input's rows lined up on the output vocabulary (see the class comment); {@code overrides}, the tokenizer
     * block's per-token sources: row r's default becomes {@code overrides.get(r)} = {input (-1:
     * zeros), that input's row, force}; a forced row takes the default in every input, even one that has the token.
     */
    static List<NDArray> permute(
            List<NDArray> inputs, List<int[]> rowSources, int baseIndex, Map<Integer, int[]> overrides) {
        int v = rowSources.get(0).length;
        long h = inputs.get(0).getShape().get(1);
        var mgr = inputs.get(0).getManager();
        List<NDArray> gathered = new ArrayList<>();
        List<NDArray> present = new ArrayList<>();
        NDArray sum = null;
        NDArray count = null;
        for (int m = 0; m < inputs.size(); m++) {
            NDArray x = inputs.get(m);
            long rows = x.getShape().get(0);
            int[] p = rowSources.get(m);
            long[] idx = new long[v];
            float[] has = new float[v];
            for (int r = 0; r < v; r++) {
                idx[r] = p[r] >= 0 ? p[r] : rows; // the appended zero row
                has[r] = p[r] >= 0 ? 1 : 0;
            }
            NDArray padded = NDArrays.concat(new NDList(x, mgr.zeros(new Shape(1, h), DataType.FLOAT32)), 0);
            NDArray g = padded.get(mgr.create(idx));
            NDArray mask = mgr.create(has, new Shape(v, 1));
            gathered.add(g);
            present.add(mask);
            sum = sum == null ? g : sum.add(g);
            count = count == null ? mask : count.add(mask);
        }
        NDArray mean = sum.div(count.maximum(1f));
        NDArray dflt = mean;
        if (baseIndex >= 0) {
            NDArray useBase = count.gte(2f).logicalAnd(present.get(baseIndex).gt(0f));
            dflt = NDArrays.where(useBase.broadcast(new Shape(v, h)), gathered.get(baseIndex), mean);
        }
        if (!overrides.isEmpty()) {
            float[] isOverride = new float[v];
            float[] forced = new float[v];
            NDArray chosen = mgr.zeros(new Shape(v, h), DataType.FLOAT32);
            for (Map.Entry<Integer, int[]> o : overrides.entrySet()) {
                int r = o.getKey();
                int[] spec = o.getValue();
                isOverride[r] = 1;
                forced[r] = spec[2];
                if (spec[0] >= 0) {
                    chosen.set(new NDIndex("{}, :", r), inputs.get(spec[0]).get(new NDIndex("{}, :", spec[1])));
                }
            }
            dflt = NDArrays.where(
                    mgr.create(isOverride, new Shape(v, 1)).gt(0f).broadcast(new Shape(v, h)), chosen, dflt);
            NDArray keep = mgr.create(forced, new Shape(v, 1)).eq(0f).toType(DataType.FLOAT32, false);
            for (int m = 0; m < present.size(); m++) {
                present.set(m, present.get(m).mul(keep));
            }
        }
        int real = v;
        while (real > 0 && rowSources.get(0)[real - 1] == PADDING) {
            real--;
        }
        List<NDArray> out = new ArrayList<>();
        for (int m = 0; m < inputs.size(); m++) {
            NDArray rows = NDArrays.where(present.get(m).gt(0f).broadcast(new Shape(v, h)), gathered.get(m), dflt);
            if (real < v) {
                // as mergekit (after https://nlp.stanford.edu/~johnhew/vocab-expansion.html): the mean of the real rows
                NDArray top = rows.get(new NDIndex("0:{}, :", real));
                NDArray fill = top.mean(new int[] {0}, true).broadcast(new Shape(v - real, h));
                rows = NDArrays.concat(new NDList(top, fill), 0);
            }
            out.add(rows);
        }
        return out;
    }
}
