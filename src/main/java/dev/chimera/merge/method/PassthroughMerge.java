package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** mergekit's {@code passthrough}: copies its single input, multiplied by the optional per-model {@code scale}. */
public final class PassthroughMerge implements MergeMethod {
    @Override
    public String name() {
        return "passthrough";
    }

    @Override
    public List<ParamDef> tensorParams() {
        return List.of(ParamDef.optional("scale", null));
    }

    @Override
    public void validate(Params global, List<Params> perInput, List<String> models, int baseIndex) {
        if (perInput.size() != 1) {
            throw new MergeException("passthrough expects exactly one model per slice, got " + models);
        }
    }

    @Override
    public NDArray merge(MergeInput in) {
        if (in.size() != 1) {
            throw new MergeException(
                    "passthrough expects exactly one tensor for " + in.tensorName() + ", got " + in.size());
        }
        Double scale = in.perInput().get(0).numberOrNull("scale");
        NDArray x = in.tensors().get(0);
        return scale == null ? x : x.mul(scale.floatValue());
    }
}
