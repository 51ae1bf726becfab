package dev.chimera.engine.work;

import java.util.List;
import java.util.Map;

/**
 * What a worker needs to work on a run: its rendered run config (absolute paths) and, per task objective, the ids
 * of the items every candidate is evaluated on (chosen once by the coordinator). Small enough to ride along with
 * every assignment, so a worker that joins or restarts mid-run needs no extra round trip.
 */
public record RunSetup(String runId, String spec, Map<String, List<String>> items) {
    public RunSetup {
        items = Map.copyOf(items);
    }
}
