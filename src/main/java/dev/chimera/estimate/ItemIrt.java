package dev.chimera.estimate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * gp-IRT (tinyBenchmarks) for a task whose items are named: an {@link IrtModel} fitted to reference rows (models
 * that answered every item) with its mixing weight calibrated on them ({@link Calibration}), estimating another
 * model's accuracy on every item from its answers to any subset. A multi-fidelity run refits one as whole-split rows
 * arrive (engine.run.Racing), so the item parameters come from merges like the ones it estimates, not from the
 * parents alone.
 */
public final class ItemIrt {
    /** Fewest reference rows: the calibration holds out every fifth row and fits the others, which needs 4. */
    public static final int MIN_ROWS = 5;

    private final List<String> items;
    private final Map<String, Integer> index;
    private final IrtModel irt;
    private final Calibration calibration;
    private final int rows;

    private ItemIrt(List<String> items, IrtModel irt, Calibration calibration, int rows) {
        this.items = List.copyOf(items);
        this.index = new HashMap<>();
        for (int j = 0; j < items.size(); j++) {
            index.put(items.get(j), j);
        }
        this.irt = irt;
        this.calibration = calibration;
        this.rows = rows;
    }

    /**
     * Fits the IRT model and the gp-IRT calibration to {@code rows}, each a model's 0/1 answer to every one of
     * {@code items} (at least {@link #MIN_ROWS}).
     */
    public static ItemIrt fit(List<String> items, List<Map<String, Integer>> rows, IrtConfig cfg) {
        if (rows.size() < MIN_ROWS) {
            throw new EstimateException(
                    "an IRT fit needs at least " + MIN_ROWS + " reference rows, got " + rows.size());
        }
        int[][] v = new int[rows.size()][items.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            names.add("row" + i);
            for (int j = 0; j < items.size(); j++) {
                Integer y = rows.get(i).get(items.get(j));
                if (y == null) {
                    throw new EstimateException("reference row " + i + " has no answer to item '" + items.get(j) + "'");
                }
                v[i][j] = y;
            }
        }
        ResponseMatrix m = ResponseMatrix.of(names, items, v);
        return new ItemIrt(items, IrtModel.fit(m, cfg), Calibration.compute(m, cfg), rows.size());
    }

    /** Reference rows the model was fitted to. */
    public int rows() {
        return rows;
    }

    /** The gp-IRT estimate of the accuracy on every item from {@code answers} (item id to 0/1, at least one). */
    public double estimate(Map<String, Integer> answers) {
        if (answers.isEmpty()) {
            throw new EstimateException("gp-IRT needs at least one answer");
        }
        int[] seen = new int[answers.size()];
        double[] y = new double[answers.size()];
        int k = 0;
        for (Map.Entry<String, Integer> e : answers.entrySet()) {
            Integer j = index.get(e.getKey());
            if (j == null) {
                throw new EstimateException("item '" + e.getKey() + "' is not one of the fitted items");
            }
            seen[k] = j;
            y[k++] = e.getValue();
        }
        AccuracyEstimator est = new AccuracyEstimator(
                irt,
                Selection.uniform("random", seen),
                calibration,
                AccuracyEstimator.Options.defaults(),
                items.size());
        return est.gpirt(y);
    }
}
