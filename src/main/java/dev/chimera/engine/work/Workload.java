package dev.chimera.engine.work;

/**
 * What one device does for one run: turn genes into a candidate model ({@link #build}, the Merger's step) and
 * score it ({@link #evaluate}, the Evaluator's step). Both are blocking and run on the engine's blocking
 * dispatcher, never on an actor's thread. A workload is created once per run and device and holds what is worth
 * keeping across candidates: opened source models, tokenizer, tasks and their items.
 */
public interface Workload extends AutoCloseable {
    /** Builds the candidate (e.g. merges its tensors in device memory). The caller closes the result. */
    Built build(double[] genes);

    /**
     * A model of the run's {@code run.models} as it is (alias {@code alias}), for {@link #evaluate} on every item: the
     * parents' answers a multi-fidelity run compares with and fits its IRT model on.
     */
    default Built model(String alias) {
        throw new WorkloadException("this run's workload has no models to evaluate as they are (" + alias + ")");
    }

    /**
     * Scores a built candidate on every objective: on the items of fidelity rung {@code rung} not already answered at
     * rung {@code from} ({@link RunSetup#slice}; -1 = from the first item). Does not close it.
     */
    Outcome evaluate(Built candidate, int from, int rung);

    @Override
    void close();

    /** A candidate ready to evaluate; closing it frees its tensors. */
    interface Built extends AutoCloseable {
        double[] genes();

        @Override
        void close();
    }
}
