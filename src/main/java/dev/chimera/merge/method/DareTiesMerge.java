package dev.chimera.merge.method;

/** mergekit's {@code dare_ties}: sparsifier RANDOM, sign consensus true, normalize default false, rescale default true. */
public final class DareTiesMerge extends TaskArithmeticCore {
    @Override
    public String name() {
        return "dare_ties";
    }

    @Override
    protected Sparsifier sparsifier() {
        return Sparsifier.RANDOM;
    }

    @Override
    protected boolean signConsensus() {
        return true;
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
