package dev.chimera.extending;

import ai.djl.ndarray.NDArray;
import dev.chimera.merge.method.MergeInput;
import dev.chimera.merge.method.MergeMethod;

/**
 * docs/extending.md's example merge method, in one class: per entry, the mean of the inputs whose sign agrees with
 * the sign of their sum (0 where all are 0). Found by {@code META-INF/services/dev.chimera.merge.method.MergeMethod}
 * in this jar; a config names it {@code merge_method: sign_consensus_average}.
 */
public final class SignConsensusAverage implements MergeMethod {
    @Override
    public String name() {
        return "sign_consensus_average";
    }

    @Override
    public NDArray merge(MergeInput in) {
        // every array made here belongs to the input's manager, which frees it after the tensor is written
        NDArray sum = in.tensors().get(0);
        for (NDArray x : in.tensors().subList(1, in.size())) {
            sum = sum.add(x);
        }
        NDArray sign = sum.sign();
        NDArray total = sum.zerosLike();
        NDArray count = sum.zerosLike();
        for (NDArray x : in.tensors()) {
            NDArray agrees = x.sign().eq(sign).logicalAnd(sign.neq(0)).toType(x.getDataType(), false);
            total = total.add(x.mul(agrees));
            count = count.add(agrees);
        }
        return total.div(count.maximum(1f));
    }
}
