package dev.chimera.local;

import java.util.function.ToDoubleFunction;

/**
 * What a merged candidate scores, one value per objective, all maximised. Called once per distinct recipe, on the
 * searching thread, with the merge in memory; the model is closed after the call, so keep no reference to it or its
 * arrays. Throwing fails the search with the exception.
 */
@FunctionalInterface
public interface MergeFitness {
    double[] evaluate(MergedModel model);

    /** A single-objective fitness. */
    static MergeFitness of(ToDoubleFunction<MergedModel> fitness) {
        return m -> new double[] {fitness.applyAsDouble(m)};
    }
}
