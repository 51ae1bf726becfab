package dev.chimera.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a demo measured (also written to {@code demo.json} in the run folder). Accuracies are fractions in [0, 1];
 * gains are in percentage points. Fields of the other mode, and everything after the search when the run did not
 * finish (stopped, failed), are null or empty.
 *
 * @param mode {@code single} or {@code multi}
 * @param runState the run's end state: FINISHED, STOPPED or FAILED
 * @param rows the comparison table, one row per model
 * @param search what the search cost
 * @param gainOverBestParent evolved merge minus the best of base, expert 1 and expert 2 on the held-out target test
 * @param gainOverUniform evolved merge minus the better uniform task-arithmetic merge on the held-out target test
 * @param estimatorChecks per objective, candidates' estimated fitness against their accuracy on the whole search split:
 *                        the best few (single objective), or distinct points spread along the Pareto front
 * @param pareto the Pareto set (multi-objective), in order of the first objective
 * @param phaseSeconds wall time per phase: zoo, extract, search, held-out eval, estimator check, total
 * @param comparisons single objective: the evolved merge against the start point, the parents and the uniform merges,
 *                    with intervals, on the search split (multi-fidelity runs) and on the held-out split
 */
public record DemoResult(
        String mode,
        Path runDir,
        Path zooDir,
        Path runFile,
        String runId,
        String runState,
        String finishReason,
        List<Row> rows,
        SearchCost search,
        Double gainOverBestParent,
        Double gainOverUniform,
        List<EstimatorCheck> estimatorChecks,
        List<Row> pareto,
        Path plot,
        Map<String, Double> phaseSeconds,
        List<Comparison> comparisons) {
    /**
     * The evolved merge against another model on one split: the difference of accuracies (points) with its paired
     * bootstrap 95 % interval (items resampled with both models' answers).
     */
    public record Comparison(
            String split, String against, double evolved, double other, double difference, double low, double high) {}

    /**
     * One model.
     *
     * @param model its name in the table (base, expert 1, expert 2, uniform TA 1.0/1.0, evolved, pareto k)
     * @param path its model folder (null for merges built in memory only)
     * @param searchScores per objective: the run's estimate (candidates) or the accuracy on the whole search split
     *                     (parents, from the extract stage); empty when not known
     * @param heldOut per held-out task name: accuracy on every item (absent when not evaluated)
     * @param itemsEvaluated items this row cost: the held-out test items, or for the evolved merge the items the
     *                       search evaluated (candidates x n plus the extract stage)
     * @param seconds wall time of those evaluations (the evolved merge: extract stage plus search)
     * @param candidateId the run's candidate id (-1 for parents and uniform merges)
     */
    public record Row(
            String model,
            Path path,
            Map<String, Double> searchScores,
            Map<String, Double> heldOut,
            long itemsEvaluated,
            double seconds,
            long candidateId) {}

    /**
     * @param candidates candidates evaluated (journaled results; repeats answered by dedup are not counted)
     * @param candidateItems item evaluations of all candidates, counted from the journal's per-item results
     * @param extractItems items of the extract stage: parents x items of each objective's task (0 without estimator)
     * @param extractFromCache whether the parents' answers came from the response cache (no model time spent)
     */
    public record SearchCost(
            long candidates, long candidateItems, long extractItems, boolean extractFromCache, long fullItems) {
        public long totalItems() {
            return candidateItems + extractItems;
        }

        /** Items spent over what scoring every candidate on every item of the search split would cost. */
        public double ratio() {
            return fullItems == 0 ? 0 : (double) totalItems() / fullItems;
        }
    }

    /** @param meanAbsoluteError mean of |estimated - full| over the checked candidates */
    public record EstimatorCheck(String objective, List<Check> candidates, double meanAbsoluteError) {}

    /** One candidate: its fitness as the run estimated it and its accuracy on every item of the search split. */
    public record Check(long id, double estimated, double full, int items) {}

    /** The row of that name, or null. */
    public Row row(String model) {
        return rows.stream().filter(r -> r.model().equals(model)).findFirst().orElse(null);
    }

    public boolean finished() {
        return "FINISHED".equals(runState);
    }
}
