package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** mergekit's {@code nearswap}: w = clamp(t / max(|base - x|, 1e-6), 0, 1); output w * x + (1 - w) * base. */
public final class NearSwapMerge implements MergeMethod {
    @Override
    public String name() {
        return "nearswap";
    }

    @Override
    public List<ParamDef> globalParams() {
        return List.of(ParamDef.required("t"));
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    @Override
    public void validate(Params global, List<Params> perInput, List<String> models, int baseIndex) {
        if (perInput.size() != 2 || baseIndex < 0) {
            throw new MergeException("nearswap merges exactly two models, the base and one other, got " + models);
        }
    }

    @Override
    public NDArray merge(MergeInput in) {
        NDArray a = in.base();
        int[] idx = in.others();
        if (idx.length == 0) {
            return a;
        }
        NDArray b = in.tensors().get(idx[0]);
        float t = (float) in.global().number("t");
        NDArray w = a.sub(b).abs().clip(1e-6f, Float.MAX_VALUE).pow(-1).mul(t).clip(0f, 1f);
        return w.mul(b).add(w.neg().add(1).mul(a));
    }
}
