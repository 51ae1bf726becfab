package dev.chimera.engine.run;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;

/**
 * One line of a run's journal. The journal is the run's source of truth: replaying it rebuilds the
 * {@link RunState} and, together with the seed, the optimizer (see {@code engine.actor.Coordinator}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RunEvent.Started.class, name = "started"),
    @JsonSubTypes.Type(value = RunEvent.Evaluated.class, name = "evaluated"),
    @JsonSubTypes.Type(value = RunEvent.GenerationDone.class, name = "generation"),
    @JsonSubTypes.Type(value = RunEvent.Refined.class, name = "refined"),
    @JsonSubTypes.Type(value = RunEvent.Scored.class, name = "scored"),
    @JsonSubTypes.Type(value = RunEvent.Fitted.class, name = "fitted"),
    @JsonSubTypes.Type(value = RunEvent.ModelAnswered.class, name = "model"),
    @JsonSubTypes.Type(value = RunEvent.Control.class, name = "control"),
    @JsonSubTypes.Type(value = RunEvent.Finished.class, name = "finished")
})
public sealed interface RunEvent {
    /** Epoch milliseconds. */
    long time();

    /** A coordinator took the run up (first start or resume). */
    record Started(long time, String runId, String node, boolean resumed) implements RunEvent {}

    /**
     * A candidate's result, journaled once: late duplicates from re-dispatched work are dropped before this.
     * {@code items} holds, per objective, the 0/1 result of every item evaluated (what estimators consume).
     */
    record Evaluated(
            long time,
            long id,
            double[] genes,
            double[] objectives,
            Map<String, Map<String, Integer>> items,
            String worker,
            long mergeMillis,
            long evalMillis,
            int attempt,
            int rung)
            implements RunEvent {
        public Evaluated(
                long time,
                long id,
                double[] genes,
                double[] objectives,
                Map<String, Map<String, Integer>> items,
                String worker,
                long mergeMillis,
                long evalMillis,
                int attempt) {
            this(time, id, genes, objectives, items, worker, mergeMillis, evalMillis, attempt, 0);
        }
    }

    /**
     * Multi-fidelity: candidate {@code id} went up to {@code rung} and answered the items that rung adds
     * ({@code items}, per objective). A negative id is a reference point (a start point scored on the whole split).
     */
    record Refined(
            long time,
            long id,
            int rung,
            Map<String, Map<String, Integer>> items,
            String worker,
            long mergeMillis,
            long evalMillis,
            int attempt)
            implements RunEvent {}

    /**
     * Multi-fidelity: candidate {@code id}'s race ended at {@code rung}; {@code objectives} is what the optimizer was
     * told (exact on the whole split, else the run's fidelity estimator). Replay tells these values again.
     */
    record Scored(long time, long id, double[] objectives, int rung) implements RunEvent {}

    /**
     * Multi-fidelity with the {@code irt} estimator: the decisions of cohort {@code cohort} ({@link #FINAL}: the final
     * rung) use the IRT model fitted to the whole-split answers of {@code references} (and the parents'). Journaled
     * before the first decision that uses it, so a resumed run refits the same rows and decides the same way.
     */
    record Fitted(long time, long cohort, List<Long> references) implements RunEvent {
        public static final long FINAL = -1;
    }

    /**
     * Multi-fidelity: model {@code model} of {@code run.models} (a parent) answered every item of each objective as it
     * is ({@code items}), a work item like a candidate's; what the run's answer is compared with and the IRT fits use.
     */
    record ModelAnswered(
            long time,
            String model,
            Map<String, Map<String, Integer>> items,
            String worker,
            long evalMillis,
            int attempt)
            implements RunEvent {}

    /** The optimizer completed a generation. */
    record GenerationDone(long time, long generation, long evaluations, double[] best) implements RunEvent {}

    /** pause, resume or stop. */
    record Control(long time, ControlAction action) implements RunEvent {}

    /** The run ended (budget reached, target met, or {@code failed}) and its outputs were written. */
    record Finished(long time, String reason, boolean failed) implements RunEvent {}
}
