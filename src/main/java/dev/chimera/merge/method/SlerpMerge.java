package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * mergekit's {@code slerp}: spherical interpolation between the base (t = 0) and the other model (t = 1) over the
 * whole flattened tensor, falling back to linear interpolation when the normalised vectors are nearly colinear
 * (|cos| > 0.9995).
 */
public final class SlerpMerge implements MergeMethod {
    static final double DOT_THRESHOLD = 0.9995;

    @Override
    public String name() {
        return "slerp";
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
        if (perInput.size() != 2) {
            throw new MergeException(
                    "slerp merges exactly 2 models (the base and one other), got " + perInput.size() + ": " + models);
        }
        if (baseIndex < 0) {
            throw new MergeException("slerp needs base_model to be one of its two models " + models);
        }
        global.number("t");
    }

    @Override
    public NDArray merge(MergeInput in) {
        if (in.size() == 1) {
            return in.tensors().get(0);
        }
        if (in.size() != 2 || !in.hasBase()) {
            throw new MergeException("slerp expects exactly the base and one other model for " + in.tensorName());
        }
        NDArray a = in.base();
        NDArray b = in.tensors().get(in.others()[0]);
        List<NDArray> xs = Nd.rectifyEmbeds(in, List.of(a, b));
        Nd.requireSameShape(
                in, xs, List.of(in.models().get(in.baseIndex()), in.models().get(in.others()[0])));
        return slerp(in.global().number("t"), xs.get(0), xs.get(1));
    }

    /** Slerp of two tensors treated as single vectors; shared with callers that interpolate whole tensors. */
    static NDArray slerp(double t, NDArray v0, NDArray v1) {
        double n0 = Nd.l2(v0);
        double n1 = Nd.l2(v1);
        double d0 = n0 > 1e-8 ? n0 : 1;
        double d1 = n1 > 1e-8 ? n1 : 1;
        double dot = Nd.dot(v0, v1) / (d0 * d1);
        if (Math.abs(dot) > DOT_THRESHOLD) {
            return v0.mul((float) (1 - t)).add(v1.mul((float) t));
        }
        double theta0 = Math.acos(dot);
        double sin0 = Math.sin(theta0);
        double thetaT = theta0 * t;
        double s0 = Math.sin(theta0 - thetaT) / sin0;
        double s1 = Math.sin(thetaT) / sin0;
        return v0.mul((float) s0).add(v1.mul((float) s1));
    }
}
