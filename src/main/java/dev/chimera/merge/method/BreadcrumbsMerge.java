package dev.chimera.merge.method;

/** mergekit's {@code breadcrumbs}: sparsifier MAGNITUDE_OUTLIERS, sign consensus false, normalize default false, rescale default false. */
public final class BreadcrumbsMerge extends TaskArithmeticCore {
    @Override
    public String name() {
        return "breadcrumbs";
    }

    @Override
    protected Sparsifier sparsifier() {
        return Sparsifier.MAGNITUDE_OUTLIERS;
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
        return false;
    }
}
