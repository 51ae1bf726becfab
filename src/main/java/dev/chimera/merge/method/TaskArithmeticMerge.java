package dev.chimera.merge.method;

/** mergekit's {@code task_arithmetic}: sparsifier null, sign consensus false, normalize default false, rescale default false. */
public final class TaskArithmeticMerge extends TaskArithmeticCore {
    @Override
    public String name() {
        return "task_arithmetic";
    }

    @Override
    protected Sparsifier sparsifier() {
        return null;
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
