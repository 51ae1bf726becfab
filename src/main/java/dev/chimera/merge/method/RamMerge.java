package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * mergekit's {@code ram} and {@code ramplus_tl} (Reinforced Agent Merging, arXiv 2601.13572; mergekit's
 * merge_methods/ram.py). With task vectors tv_k = x_k - base and a parameter counted as contributed by model k when
 * |tv_k| > epsilon (c = how many models contribute to it):
 *
 * <ul>
 *   <li>{@code ram}: where one model contributes, its task vector is kept; where several do, their mean; where none,
 *       the base: output = base + sum_k tv_k [contributes] ([c = 1] + [c > 1] / c).</li>
 *   <li>{@code ramplus_tl}: the unique parts are scaled per model by lambda_k = 1 + r clamp(rho_k, 0, alpha), where
 *       rho_k = (parameters k shares with others) / max(parameters only k contributes, epsilon), over this tensor.</li>
 * </ul>
 *
 * Computed in float32 (mergekit computes in the inputs' dtype, so with half-precision inputs the contribution masks
 * can differ where |tv| is within rounding of epsilon).
 */
public final class RamMerge implements MergeMethod {
    private final boolean plus;

    /** @param plus {@code ramplus_tl} instead of {@code ram} */
    public RamMerge(boolean plus) {
        this.plus = plus;
    }

    @Override
    public String name() {
        return plus ? "ramplus_tl" : "ram";
    }

    @Override
    public List<ParamDef> globalParams() {
        return plus
                ? List.of(
                        ParamDef.optional("r", 0.1),
                        ParamDef.optional("alpha", 0.2),
                        ParamDef.optional("epsilon", 1e-5))
                : List.of(ParamDef.optional("epsilon", 1e-5));
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    @Override
    public void validate(Params global, List<Params> perInput, List<String> models, int baseIndex) {
        if (baseIndex < 0) {
            throw new MergeException(name() + " needs base_model (it merges task vectors against it)");
        }
    }

    @Override
    public NDArray merge(MergeInput in) {
        NDArray base = in.base();
        int[] idx = in.others();
        if (idx.length == 0) {
            return base;
        }
        float eps = (float) in.global().number("epsilon");
        List<NDArray> tv = new ArrayList<>();
        List<NDArray> contributes = new ArrayList<>();
        NDArray count = null;
        for (int k : idx) {
            NDArray t = in.tensors().get(k).sub(base);
            NDArray c = t.abs().gt(eps).toType(DataType.FLOAT32, false);
            tv.add(t);
            contributes.add(c);
            count = count == null ? c : count.add(c);
        }
        NDArray unique = count.eq(1).toType(DataType.FLOAT32, false);
        NDArray shared = count.gt(1).toType(DataType.FLOAT32, false);
        NDArray sharedWeight = shared.div(count.maximum(1f));
        NDArray merged = null;
        for (int k = 0; k < idx.length; k++) {
            NDArray mine = contributes.get(k);
            float lambda = 1;
            if (plus) {
                double sharedCount = mine.mul(shared).sum().getFloat();
                double uniqueCount = mine.mul(unique).sum().getFloat();
                double rho = sharedCount / Math.max(uniqueCount, in.global().number("epsilon"));
                lambda = (float) (1
                        + in.global().number("r")
                                * Math.min(Math.max(rho, 0), in.global().number("alpha")));
            }
            NDArray part = tv.get(k).mul(mine).mul(unique.mul(lambda).add(sharedWeight));
            merged = merged == null ? part : merged.add(part);
        }
        return base.add(merged);
    }
}
