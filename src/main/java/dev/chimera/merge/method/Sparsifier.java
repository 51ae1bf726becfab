package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * mergekit's {@code sparsify.py}: how a task vector is thinned before it is mixed. Rescaling (DARE, DELLA)
 * multiplies the kept entries by L1(delta) / L1(kept), as current mergekit does, and is skipped when either norm is
 * below 1e-7. A density of 1 or more returns the delta untouched.
 */
public enum Sparsifier {
    /**
     * TIES: keep the int(density * n) entries of largest magnitude over the whole tensor. Among entries equal to
     * the k-th largest magnitude, the first in row-major order are kept, so the choice is deterministic (torch's
     * argsort leaves it unspecified).
     */
    MAGNITUDE {
        @Override
        NDArray mask(NDArray delta, double density, Extra extra) {
            long n = delta.size();
            long k = (long) (density * n);
            if (k <= 0) {
                // mergekit asserts here; an all-zero mask (drop the whole delta) is the sane limit of density -> 0
                return delta.zerosLike();
            }
            NDArray abs = delta.abs().flatten();
            float tau = abs.sort().getFloat(n - k);
            NDArray gt = abs.gt(tau);
            long need = k - gt.countNonzero().toType(DataType.INT64, false).getLong();
            NDArray eq = abs.eq(tau);
            NDArray rank = eq.toType(DataType.INT64, false).cumSum(0);
            NDArray keepEq = eq.logicalAnd(rank.lte(need));
            return Nd.toFloat(gt.logicalOr(keepEq)).reshape(delta.getShape());
        }
    },
    /** DARE: keep each entry with probability density. */
    RANDOM {
        @Override
        NDArray mask(NDArray delta, double density, Extra extra) {
            NDArray u = extra.random().uniform(delta.getManager(), delta.size(), extra.stream(), delta.getShape());
            return Nd.toFloat(u.lt(density));
        }
    },
    /**
     * Model Breadcrumbs: drop the gamma share of largest magnitudes, then the smallest, keeping int(density * n)
     * in total. Reproduces mergekit exactly, including its Python slice {@code [n_bot:-n_top]} that keeps nothing
     * when n_top is 0 (tensors of fewer than 1/gamma entries, or density near 1).
     */
    MAGNITUDE_OUTLIERS {
        @Override
        NDArray mask(NDArray delta, double density, Extra extra) {
            long n = delta.size();
            long target = (long) (density * n);
            long nTop = (long) (extra.gamma() * n);
            long nBot = n - target - nTop;
            if (nBot < 0) {
                nTop += nBot;
                nBot = 0;
            }
            if (nTop <= 0) {
                return delta.zerosLike();
            }
            NDArray order = delta.abs().flatten().argSort(0, true);
            return maskFromIndices(delta, order.get(new NDIndex("{}:{}", nBot, n - nTop)));
        }
    },
    /**
     * DELLA's MagPrune: per row, rank entries by magnitude; keep probability rises linearly with rank from
     * density - epsilon to density + epsilon.
     */
    DELLA_MAGPRUNE {
        @Override
        NDArray mask(NDArray delta, double density, Extra extra) {
            double eps = extra.epsilon();
            checkDella(density, eps, extra.where());
            Shape shape = delta.getShape();
            NDArray rows = shape.dimension() < 2 ? delta.reshape(1, -1) : delta.reshape(shape.get(0), -1);
            long cols = rows.getShape().get(1);
            // ranks 0..cols-1 of |delta| along each row (argsort of argsort)
            NDArray ranks = rows.abs().argSort(1, true).argSort(1, true).toType(DataType.FLOAT32, false);
            NDArray rankNorm = cols > 1 ? ranks.div((float) (cols - 1)) : ranks.zerosLike();
            NDArray probs = rankNorm.mul((float) (2 * eps)).add((float) (density - eps));
            NDArray u = extra.random().uniform(delta.getManager(), delta.size(), extra.stream(), rows.getShape());
            return Nd.toFloat(u.lt(probs)).reshape(shape);
        }
    };

    /** Extra per-input inputs of a sparsifier. */
    public record Extra(double gamma, double epsilon, TensorRandom random, int stream, String where) {}

    abstract NDArray mask(NDArray delta, double density, Extra extra);

    /** Sparsifies {@code delta}, with L1 rescaling when {@code rescale}. */
    public NDArray apply(NDArray delta, double density, boolean rescale, Extra extra) {
        if (density >= 1) {
            return delta;
        }
        if (this == DELLA_MAGPRUNE && density <= 0) {
            return delta.zerosLike();
        }
        NDArray masked = delta.mul(mask(delta, density, extra));
        if (!rescale) {
            return masked;
        }
        double before = Nd.l1(delta);
        double after = Nd.l1(masked);
        if (before < 1e-7 || after < 1e-7) {
            return masked;
        }
        return masked.mul((float) (before / after));
    }

    static void checkDella(double density, double eps, String where) {
        if (density < 1 && density > 0 && (density + eps >= 1 || density - eps <= 0)) {
            throw new MergeException(
                    "della: density " + density + " +/- epsilon " + eps + " must stay inside (0, 1)" + where);
        }
    }

    private static NDArray maskFromIndices(NDArray like, NDArray flatIdx) {
        NDArray flat = like.getManager().zeros(new Shape(like.size()), DataType.FLOAT32);
        NDArray ones = like.getManager().ones(flatIdx.getShape(), DataType.FLOAT32);
        return flat.put(flatIdx, ones).reshape(like.getShape());
    }
}
