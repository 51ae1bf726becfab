package dev.chimera.merge.method;

/** mergekit's {@code della}: sparsifier DELLA_MAGPRUNE, sign consensus true, normalize default true, rescale default true. */
public final class DellaMerge extends TaskArithmeticCore {
    @Override
    public String name() {
        return "della";
    }

    @Override
    protected Sparsifier sparsifier() {
        return Sparsifier.DELLA_MAGPRUNE;
    }

    @Override
    protected boolean signConsensus() {
        return true;
    }

    @Override
    protected boolean defaultNormalize() {
        return true;
    }

    @Override
    protected boolean defaultRescale() {
        return true;
    }
}
