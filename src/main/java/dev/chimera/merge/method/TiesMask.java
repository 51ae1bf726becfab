package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * TIES sign election as mergekit's {@code get_mask(method="sum")}: the elected sign is that of the sum of the
 * (weighted) deltas, with a zero sum counting as positive; an entry joins the mask when its sign equals the elected
 * one, so exact zeros never do.
 */
final class TiesMask {
    private TiesMask() {}

    /** +1 where sum_i x_i >= 0, else -1. */
    static NDArray majoritySign(List<NDArray> xs) {
        NDArray sum = xs.get(0);
        for (int i = 1; i < xs.size(); i++) {
            sum = sum.add(xs.get(i));
        }
        return Nd.toFloat(sum.gte(0)).mul(2).sub(1);
    }

    /** 1 where sign(x) == majority, else 0 (float32). */
    static NDArray agrees(NDArray x, NDArray majority) {
        return Nd.toFloat(x.sign().eq(majority));
    }
}
