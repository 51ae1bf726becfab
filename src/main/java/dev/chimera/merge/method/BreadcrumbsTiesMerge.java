package dev.chimera.merge.method;

/** mergekit's {@code breadcrumbs_ties}: sparsifier MAGNITUDE_OUTLIERS, sign consensus true, normalize default false, rescale default false. */
public final class BreadcrumbsTiesMerge extends TaskArithmeticCore {
    @Override
    public String name() {
        return "breadcrumbs_ties";
    }

    @Override
    protected Sparsifier sparsifier() {
        return Sparsifier.MAGNITUDE_OUTLIERS;
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
        return false;
    }
}
