package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * mergekit's {@code karcher}: the Riemannian (Karcher) mean of all inputs' directions with equal weights,
 * iterated up to {@code max_iter} times or until the tangent step is below {@code tol}, scaled by the mean norm.
 */
public final class KarcherMerge implements MergeMethod {
    @Override
    public String name() {
        return "karcher";
    }

    @Override
    public List<ParamDef> globalParams() {
        return List.of(ParamDef.optional("max_iter", 10.0), ParamDef.optional("tol", 1e-5));
    }

    @Override
    public NDArray merge(MergeInput in) {
        List<NDArray> xs = in.tensors();
        if (xs.size() == 1) {
            return xs.get(0);
        }
        Nd.requireSameShape(in, xs, in.models());
        int maxIter = (int) in.global().number("max_iter");
        double tol = in.global().number("tol");
        int n = xs.size();
        double alpha = 1.0 / n;
        double[] norms = new double[n];
        List<NDArray> units = new ArrayList<>();
        List<Integer> valid = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NDArray x = xs.get(i).flatten();
            norms[i] = Nd.l2(x);
            units.add(norms[i] == 0 ? x.zerosLike() : x.div((float) norms[i]));
            if (norms[i] > tol) {
                valid.add(i);
            }
        }
        if (valid.isEmpty()) {
            return xs.get(0).zerosLike();
        }
        double a = 1.0 / valid.size(); // equal weights, renormalised over the valid inputs
        NDArray u = null;
        for (int i : valid) {
            NDArray term = units.get(i).mul((float) a);
            u = u == null ? term : u.add(term);
        }
        double nu = Nd.l2(u);
        u = nu < tol ? units.get(valid.get(0)) : u.div((float) nu);
        for (int iter = 0; iter < maxIter; iter++) {
            NDArray step = u.zerosLike();
            for (int i : valid) {
                double dot = Math.max(-1, Math.min(1, Nd.dot(u, units.get(i))));
                double theta = Math.acos(dot);
                if (theta < tol) {
                    continue;
                }
                step = step.add(units.get(i).sub(u.mul((float) dot)).mul((float) (a * theta / Math.sin(theta))));
            }
            double normT = Nd.l2(step);
            if (normT < tol) {
                break;
            }
            u = u.mul((float) Math.cos(normT)).add(step.mul((float) (Math.sin(normT) / normT)));
            double un = Nd.l2(u);
            if (un > tol) {
                u = u.div((float) un);
            }
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += alpha * norms[i];
        }
        return u.mul((float) s).reshape(xs.get(0).getShape());
    }
}
