package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * mergekit's {@code multislerp}: barycentric interpolation on the hypersphere. Inputs (task vectors when a base is
 * given) are projected to the unit sphere, averaged in the tangent space at their weighted mean direction, mapped
 * back with the exponential map and rescaled by the weighted mean norm.
 */
public final class MultiSlerpMerge implements MergeMethod {
    @Override
    public String name() {
        return "multislerp";
    }

    @Override
    public List<ParamDef> globalParams() {
        return List.of(ParamDef.optional("normalize_weights", true), ParamDef.optional("eps", 1e-8));
    }

    @Override
    public List<ParamDef> tensorParams() {
        return List.of(ParamDef.required("weight"));
    }

    @Override
    public NDArray merge(MergeInput in) {
        int[] idx = in.others();
        List<NDArray> xs = Nd.pick(in, idx);
        if (xs.size() == 1) {
            return xs.get(0);
        }
        Nd.requireSameShape(in, xs, Nd.pickModels(in, idx));
        double eps = in.global().number("eps");
        double[] w = new double[idx.length];
        double wsum = 0;
        for (int k = 0; k < idx.length; k++) {
            w[k] = in.perInput().get(idx[k]).number("weight");
            wsum += w[k];
        }
        if (in.global().bool("normalize_weights")) {
            for (int k = 0; k < w.length; k++) {
                w[k] /= wsum;
            }
        }
        NDArray base = in.hasBase() ? in.base() : null;
        NDArray[] v = new NDArray[xs.size()];
        double[] norms = new double[xs.size()];
        NDArray[] unit = new NDArray[xs.size()];
        NDArray mean = null;
        for (int k = 0; k < v.length; k++) {
            v[k] = (base == null ? xs.get(k) : xs.get(k).sub(base)).flatten();
            norms[k] = Nd.l2(v[k]);
            unit[k] = v[k].div((float) (norms[k] + eps));
            NDArray term = unit[k].mul((float) w[k]);
            mean = mean == null ? term : mean.add(term);
        }
        double meanNorm = Nd.l2(mean);
        if (meanNorm < eps) {
            if (v.length == 2) {
                NDArray res = v[0].mul((float) w[0])
                        .add(v[1].mul((float) w[1]))
                        .reshape(xs.get(0).getShape());
                return base == null ? res : res.add(base);
            }
            throw new MergeException("multislerp: the weighted sum of the inputs of " + in.tensorName()
                    + " is zero (antipodal vectors with balancing weights); use different weights");
        }
        mean = mean.div((float) meanNorm);
        NDArray tangent = null;
        for (int k = 0; k < v.length; k++) {
            double dot = Nd.dot(unit[k], mean);
            NDArray tk = unit[k].sub(mean.mul((float) dot)).mul((float) w[k]);
            tangent = tangent == null ? tk : tangent.add(tk);
        }
        double tn = Nd.l2(tangent) + eps;
        NDArray result = mean.mul((float) Math.cos(tn)).add(tangent.mul((float) (Math.sin(tn) / tn)));
        double avgNorm = 0;
        for (int k = 0; k < v.length; k++) {
            avgNorm += norms[k] * w[k];
        }
        result = result.mul((float) avgNorm).reshape(xs.get(0).getShape());
        return base == null ? result : result.add(base);
    }
}
