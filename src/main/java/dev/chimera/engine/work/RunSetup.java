package dev.chimera.engine.work;

import java.util.List;
import java.util.Map;

/**
 * What a worker needs to work on a run: its rendered run config (absolute paths) and, per task objective, the ids
 * of the items every candidate is evaluated on (chosen once by the coordinator). Small enough to ride along with
 * every assignment, so a worker that joins or restarts mid-run needs no extra round trip. {@code estimators} holds,
 * per objective that uses one, the extract stage's result (JSON of {@code estimate.ExtractResult}): IRT parameters,
 * the subset's weights and the parents' abilities.
 */
public record RunSetup(String runId, String spec, Map<String, List<String>> items, Map<String, String> estimators) {
    public RunSetup {
        items = Map.copyOf(items);
        estimators = Map.copyOf(estimators);
    }

    public RunSetup(String runId, String spec, Map<String, List<String>> items) {
        this(runId, spec, items, Map.of());
    }
}
