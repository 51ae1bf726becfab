package dev.chimera.engine.work;

import java.util.Map;

/**
 * A candidate's score: one value per objective (maximised) and, per objective, the 0/1 result of every item it
 * was evaluated on (what estimators consume; empty for synthetic objectives).
 */
public record Outcome(double[] objectives, Map<String, Map<String, Integer>> items) {
    public Outcome {
        objectives = objectives.clone();
        items = Map.copyOf(items);
    }

    @Override
    public double[] objectives() {
        return objectives.clone();
    }
}
