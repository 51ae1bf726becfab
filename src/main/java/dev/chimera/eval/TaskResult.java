package dev.chimera.eval;

import java.util.List;
import java.util.Map;

/**
 * A task's outcome: {@code metric} is the task's metric and {@code score} its mean over items; {@code metrics}
 * holds every computed metric (multiple choice: acc, acc_norm; generation: exact_match, and when the task has a
 * language also exact_match_any_language and language_rate).
 */
public record TaskResult(
        String task, String metric, double score, Map<String, Double> metrics, List<ItemResult> items) {
    public TaskResult {
        metrics = Map.copyOf(metrics);
        items = List.copyOf(items);
    }
}
