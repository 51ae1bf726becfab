package dev.chimera.merge.method;

/** mergekit's {@code della_linear}: sparsifier DELLA_MAGPRUNE, sign consensus false, normalize default false, rescale default true. */
public final class DellaLinearMerge extends TaskArithmeticCore {
    @Override
    public String name() {
        return "della_linear";
    }

    @Override
    protected Sparsifier sparsifier() {
        return Sparsifier.DELLA_MAGPRUNE;
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
