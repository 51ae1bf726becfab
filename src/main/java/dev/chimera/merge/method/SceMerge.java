package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * mergekit's {@code sce} (Select, Calculate, Erase): keep the {@code select_topk} share of positions with the highest
 * variance across the task vectors, weight each task vector by its mean squared value, and erase entries whose
 * sign disagrees with the TIES-elected sign.
 */
public final class SceMerge implements MergeMethod {
    @Override
    public String name() {
        return "sce";
    }

    @Override
    public List<ParamDef> globalParams() {
        return List.of(ParamDef.optional("int8_mask", false), ParamDef.optional("select_topk", 1.0));
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    @Override
    public NDArray merge(MergeInput in) {
        NDArray base = in.base();
        int[] idx = in.others();
        if (idx.length == 0) {
            return base;
        }
        List<NDArray> tvs = new ArrayList<>();
        for (NDArray x : Nd.pick(in, idx)) {
            tvs.add(x.sub(base));
        }
        double topk = in.global().number("select_topk");
        if (topk < 1) {
            NDArray mask = selectMask(Nd.stack(tvs), topk);
            tvs.replaceAll(tv -> tv.mul(mask));
        }
        NDArray majority = TiesMask.majoritySign(tvs);
        double[] w = new double[tvs.size()];
        double wsum = 0;
        for (int k = 0; k < w.length; k++) {
            NDArray tv = tvs.get(k);
            w[k] = Nd.scalar(tv.mul(tv).mean());
            wsum += w[k];
        }
        for (int k = 0; k < w.length; k++) {
            w[k] = Math.abs(wsum) < 1e-6 ? 1.0 / w.length : w[k] / wsum;
        }
        NDArray merged = null;
        NDArray wTotal = null;
        for (int k = 0; k < w.length; k++) {
            NDArray ew = TiesMask.agrees(tvs.get(k), majority).mul((float) w[k]);
            NDArray term = tvs.get(k).mul(ew);
            merged = merged == null ? term : merged.add(term);
            wTotal = wTotal == null ? ew : wTotal.add(ew);
        }
        return base.add(merged.div(wTotal.clip(1e-6f, Float.MAX_VALUE)));
    }

    private static NDArray selectMask(NDArray stacked, double density) {
        Shape s = stacked.getShape().slice(1);
        if (density <= 0) {
            return stacked.getManager().zeros(s, DataType.FLOAT32);
        }
        NDArray mean = stacked.mean(new int[] {0});
        NDArray diff = stacked.sub(mean);
        NDArray var = diff.mul(diff).mean(new int[] {0});
        long nonzero = var.countNonzero().toType(DataType.INT64, false).getLong();
        long k = (long) (nonzero * density);
        if (k == 0) {
            return stacked.getManager().zeros(s, DataType.FLOAT32);
        }
        NDArray order = var.abs().flatten().argSort(0, false).get(new NDIndex("0:{}", k));
        NDArray flat = stacked.getManager().zeros(new Shape(var.size()), DataType.FLOAT32);
        return flat.put(order, stacked.getManager().ones(order.getShape(), DataType.FLOAT32))
                .reshape(s);
    }
}
