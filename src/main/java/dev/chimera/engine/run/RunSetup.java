package dev.chimera.engine.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a worker needs to work on a run: its rendered run config (absolute paths) and, per task objective, the ids
 * of the items every candidate is evaluated on (chosen once by the coordinator). Small enough to ride along with
 * every assignment, so a worker that joins or restarts mid-run needs no extra round trip. {@code estimators} holds,
 * per objective that uses one, the extract stage's result (JSON of {@code estimate.ExtractResult}): IRT parameters,
 * the subset's weights and the parents' abilities.
 */
public record RunSetup(
        String runId,
        String spec,
        Map<String, List<String>> items,
        Map<String, String> estimators,
        Map<String, List<Integer>> rungs) {
    public RunSetup {
        items = Map.copyOf(items);
        estimators = Map.copyOf(estimators);
        rungs = Map.copyOf(rungs);
        for (Map.Entry<String, List<String>> e : items.entrySet()) {
            List<Integer> r = rungs.get(e.getKey());
            if (r == null || r.isEmpty() || r.get(r.size() - 1) != e.getValue().size()) {
                throw new IllegalArgumentException("objective " + e.getKey() + ": rungs " + r + " must end at its "
                        + e.getValue().size() + " items");
            }
        }
    }

    /** One rung: every candidate answers all of its objectives' items. */
    public RunSetup(String runId, String spec, Map<String, List<String>> items, Map<String, String> estimators) {
        this(runId, spec, items, estimators, allItems(items));
    }

    public RunSetup(String runId, String spec, Map<String, List<String>> items) {
        this(runId, spec, items, Map.of());
    }

    private static Map<String, List<Integer>> allItems(Map<String, List<String>> items) {
        Map<String, List<Integer>> r = new LinkedHashMap<>();
        items.forEach((k, v) -> r.put(k, List.of(v.size())));
        return r;
    }

    /** The number of rungs (the same for every objective; 1 without multi-fidelity). */
    public int rungCount() {
        return rungs.values().stream().mapToInt(List::size).max().orElse(1);
    }

    /**
     * The items a job answers for one objective: those of rung {@code rung} that rung {@code from} did not hold
     * ({@code from} = -1: from the first item).
     */
    public List<String> slice(String objective, int from, int rung) {
        List<String> all = items.get(objective);
        List<Integer> r = rungs.get(objective);
        int start = from < 0 ? 0 : r.get(Math.min(from, r.size() - 1));
        int end = r.get(Math.min(rung, r.size() - 1));
        return all.subList(start, end);
    }
}
