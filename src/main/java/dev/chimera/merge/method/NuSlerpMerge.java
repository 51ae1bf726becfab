package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * mergekit's {@code nuslerp}: slerp of two models with t = w_2 / (w_1 + w_2), over the flattened tensor
 * ({@code nuslerp_flatten}, default) or row/column-wise; with a base model it interpolates the task vectors and adds
 * the base back. Rows whose vectors are colinear ({@code |sin theta| < 1e-8}) fall back to linear interpolation.
 */
public final class NuSlerpMerge implements MergeMethod {
    @Override
    public String name() {
        return "nuslerp";
    }

    @Override
    public List<ParamDef> globalParams() {
        return List.of(ParamDef.optional("nuslerp_row_wise", false), ParamDef.optional("nuslerp_flatten", true));
    }

    @Override
    public List<ParamDef> tensorParams() {
        return List.of(ParamDef.required("weight"));
    }

    @Override
    public void validate(Params global, List<Params> perInput, List<String> models, int baseIndex) {
        int others = baseIndex >= 0 ? perInput.size() - 1 : perInput.size();
        if (others != 2) {
            throw new MergeException(
                    "nuslerp merges exactly two models (plus an optional base model that is not one of them), got "
                            + models);
        }
    }

    @Override
    public NDArray merge(MergeInput in) {
        if (in.size() == 1) {
            return in.tensors().get(0);
        }
        int[] idx = in.others();
        if (idx.length != 2) {
            throw new MergeException("nuslerp expects two models plus an optional base for " + in.tensorName());
        }
        double w0 = in.perInput().get(idx[0]).number("weight");
        double w1 = in.perInput().get(idx[1]).number("weight");
        double t = Math.abs(w0 + w1) < 1e-6 ? 0.5 : w1 / (w0 + w1);
        List<NDArray> xs =
                new ArrayList<>(List.of(in.tensors().get(idx[0]), in.tensors().get(idx[1])));
        if (in.hasBase()) {
            xs.add(in.base());
        }
        xs = Nd.rectifyEmbeds(in, xs);
        boolean rowWise = in.global().bool("nuslerp_row_wise");
        boolean flatten = in.global().bool("nuslerp_flatten");
        if (in.hasBase()) {
            NDArray base = xs.get(2);
            return base.add(nuslerp(t, xs.get(0).sub(base), xs.get(1).sub(base), rowWise, flatten));
        }
        return nuslerp(t, xs.get(0), xs.get(1), rowWise, flatten);
    }

    static NDArray nuslerp(double t, NDArray v0, NDArray v1, boolean rowWise, boolean flatten) {
        Shape out = v0.getShape();
        boolean transpose = !flatten && rowWise && out.dimension() > 1;
        if (flatten) {
            v0 = v0.flatten();
            v1 = v1.flatten();
        } else if (transpose) {
            v0 = v0.swapAxes(0, -1);
            v1 = v1.swapAxes(0, -1);
        }
        NDArray u0 = v0.div(v0.norm(new int[] {-1}, true).clip(1e-7f, Float.MAX_VALUE));
        NDArray u1 = v1.div(v1.norm(new int[] {-1}, true).clip(1e-7f, Float.MAX_VALUE));
        NDArray cos = u0.mul(u1).sum(new int[] {-1}, true).clip(-1f, 1f);
        NDArray theta = cos.acos();
        NDArray sin = theta.sin();
        NDArray colinear = sin.abs().lt(1e-8f);
        NDArray slerped = theta.mul((float) (1 - t))
                .sin()
                .mul(v0)
                .add(theta.mul((float) t).sin().mul(v1))
                .div(sin.add(Nd.toFloat(colinear)));
        NDArray lerped = v0.mul((float) (1 - t)).add(v1.mul((float) t));
        NDArray res = NDArrays.where(colinear.broadcast(slerped.getShape()), lerped, slerped);
        if (transpose) {
            res = res.swapAxes(0, -1);
        }
        return res.reshape(out);
    }
}
