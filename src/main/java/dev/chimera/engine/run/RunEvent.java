package dev.chimera.engine.run;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

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
        @JsonSubTypes.Type(value = RunEvent.Control.class, name = "control"),
        @JsonSubTypes.Type(value = RunEvent.Finished.class, name = "finished")
})
public sealed interface RunEvent {
    /** Epoch milliseconds. */
    long time();

    /** A coordinator took the run up (first start or resume). */
    record Started(long time, String runId, String node, boolean resumed) implements RunEvent {
    }

    /**
     * A candidate's result, journaled once: late duplicates from re-dispatched work are dropped before this.
     * {@code items} holds, per objective, the 0/1 result of every item evaluated (what estimators consume).
     */
    record Evaluated(long time, long id, double[] genes, double[] objectives, Map<String, Map<String, Integer>> items,
                     String worker, long mergeMillis, long evalMillis, int attempt) implements RunEvent {
    }

    /** The optimizer completed a generation. */
    record GenerationDone(long time, long generation, long evaluations, double[] best) implements RunEvent {
    }

    /** pause, resume or stop. */
    record Control(long time, String action) implements RunEvent {
    }

    /** The run ended (budget reached, target met, or stopped) and its outputs were written. */
    record Finished(long time, String reason) implements RunEvent {
    }
}
