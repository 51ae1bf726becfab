package dev.chimera.merge.method;

/** mergekit's {@code ties}: sparsifier MAGNITUDE, sign consensus true, normalize default true, rescale default false. */
public final class TiesMerge extends TaskArithmeticCore {
    @Override
    public String name() {
        return "ties";
    }

    @Override
    protected Sparsifier sparsifier() {
        return Sparsifier.MAGNITUDE;
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
        return false;
    }
}
