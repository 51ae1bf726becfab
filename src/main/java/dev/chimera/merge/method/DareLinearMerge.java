package dev.chimera.merge.method;

/** mergekit's {@code dare_linear}: sparsifier RANDOM, sign consensus false, normalize default false, rescale default true. */
public final class DareLinearMerge extends TaskArithmeticCore {
    @Override
    public String name() {
        return "dare_linear";
    }

    @Override
    protected Sparsifier sparsifier() {
        return Sparsifier.RANDOM;
    }

    @Override
    protected boolean signConsensus() {
        return false;
    }

    @Override
    protected boolean defaultNormalize() {
        return false;
    }

    @Override
    protected boolean defaultRescale() {
        return true;
    }
}
