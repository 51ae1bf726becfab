package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.List;

/**
 * The best told result of a single-objective run: the largest value, ties to the lower id, NaN ranking below every
 * number. Not thread-safe on its own (the optimizers synchronize).
 */
final class BestSoFar {
    /** Higher value first (NaN as -infinity, -0.0 as 0.0), then lower id. */
    static final Comparator<Evaluation> BETTER_FIRST = Comparator.comparingDouble(
                    (Evaluation e) -> -GeneticAlgorithmOperators.rankable(e.objective(0)))
            .thenComparingLong(e -> e.candidate().id());

    // The algorithms were written with two conventions for a run whose results so far are all NaN: CMA-ES, DE and
    // random search report nothing, GA and NSGA-II the first such result. Kept as they were.
    private final boolean nanCanBeBest;
    private Evaluation best;

    private BestSoFar(boolean nanCanBeBest) {
        this.nanCanBeBest = nanCanBeBest;
    }

    /** A NaN result never becomes the best. */
    static BestSoFar excludingNaN() {
        return new BestSoFar(false);
    }

    /** A NaN result ranks lowest but is the best while nothing else is told. */
    static BestSoFar rankingNaNLowest() {
        return new BestSoFar(true);
    }

    void offer(Evaluation e) {
        if ((nanCanBeBest || !Double.isNaN(e.objective(0))) && (best == null || BETTER_FIRST.compare(e, best) < 0)) {
            best = e;
        }
    }

    /** The best as {@link Optimizer#best()} returns it: empty or one evaluation. */
    List<Evaluation> list() {
        return best == null ? List.of() : List.of(best);
    }

    /** Writes {@code "best"} into the snapshot (absent while there is none). */
    void write(ObjectNode s) {
        if (best != null) {
            s.set("best", SnapshotJson.evaluation(best));
        }
    }

    void read(JsonNode s) {
        best = s.hasNonNull("best") ? SnapshotJson.evaluation(s.get("best")) : null;
    }
}
