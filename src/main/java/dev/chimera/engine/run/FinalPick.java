package dev.chimera.engine.run;

import dev.chimera.estimate.PairedBootstrap;
import dev.chimera.search.Pareto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A multi-fidelity run's answer, chosen honestly: only among candidates scored on the whole split (and the start
 * points, which are), never by an estimate. With one objective the winner is the best of them on the whole split,
 * the lowest id among equals, so a start point (negative id) wins every tie and a run never returns a merge that
 * scores below its own start point; it is compared with every start point and every parent by the paired difference
 * on the whole split with a bootstrap 95 % interval. With several objectives the answer is the Pareto set of them.
 */
public final class FinalPick {
    static final int RESAMPLES = 2000;

    /** The winner minus another model on objective {@code objective}'s whole split, with its 95 % interval. */
    public record Comparison(
            String objective, String against, double winner, double other, PairedBootstrap.Interval interval) {}

    /**
     * The answer: the winning ids (one, or the Pareto set), their exact values, the comparisons (one objective), and
     * the fidelity estimator checked on the candidates scored on the whole split ({@link Racing#finalists}; empty
     * until {@link #withEstimates}).
     */
    public record Pick(
            List<Long> ids,
            List<double[]> values,
            List<Comparison> comparisons,
            String estimator,
            List<Racing.Finalist> estimates) {
        Pick(List<Long> ids, List<double[]> values, List<Comparison> comparisons) {
            this(ids, values, comparisons, null, List.of());
        }

        public Pick withEstimates(String estimator, List<Racing.Finalist> estimates) {
            return new Pick(ids, values, comparisons, estimator, List.copyOf(estimates));
        }

        /** Mean absolute error of the first-rung estimates, NaN without any. */
        public double estimatorError() {
            return Racing.Finalist.meanError(estimates);
        }
    }

    private FinalPick() {}

    /**
     * @param objectives objective names in the run's order
     * @param order per objective, every item id
     * @param progress the run's answers
     * @param top the whole split's rung
     * @param references reference point ids (negative), each with its label (e.g. "start point")
     * @param parents per objective, each parent's answers to every item (may be empty)
     * @param seed the bootstrap's seed; negative: no comparisons (a cheap look at the best so far)
     */
    public static Pick choose(
            List<String> objectives,
            Map<String, List<String>> order,
            RunState.Fidelity progress,
            int top,
            Map<Long, String> references,
            Map<String, Map<String, Map<String, Integer>>> parents,
            long seed) {
        List<Long> ids = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (Map.Entry<Long, Integer> e : new TreeMap<>(progress.rungs()).entrySet()) {
            if (e.getValue() >= top) {
                ids.add(e.getKey());
                double[] v = new double[objectives.size()];
                for (int o = 0; o < v.length; o++) {
                    v[o] = Racing.mean(progress.of(e.getKey()).get(objectives.get(o)));
                }
                values.add(v);
            }
        }
        if (ids.isEmpty()) {
            return new Pick(List.of(), List.of(), List.of());
        }
        if (objectives.size() > 1) {
            int[] ranks = Pareto.ranks(values);
            List<Long> front = new ArrayList<>();
            List<double[]> fv = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                if (ranks[i] == 0) {
                    front.add(ids.get(i));
                    fv.add(values.get(i));
                }
            }
            return new Pick(List.copyOf(front), List.copyOf(fv), List.of());
        }
        int best = 0;
        for (int i = 1; i < ids.size(); i++) {
            if (values.get(i)[0] > values.get(best)[0]) {
                best = i;
            }
        }
        long winner = ids.get(best);
        if (seed < 0) {
            return new Pick(List.of(winner), List.of(values.get(best)), List.of());
        }
        String objective = objectives.get(0);
        List<String> items = order.get(objective);
        int[] w = vector(progress.of(winner).get(objective), items);
        Map<String, int[]> others = new LinkedHashMap<>();
        references.forEach((id, label) -> {
            if (id != winner && progress.rung(id) >= top) {
                others.put(label, vector(progress.of(id).get(objective), items));
            }
        });
        parents.getOrDefault(objective, Map.of()).forEach((name, y) -> others.put(name, vector(y, items)));
        List<Comparison> comparisons = new ArrayList<>();
        for (Map.Entry<String, int[]> o : others.entrySet()) {
            PairedBootstrap.Interval iv = PairedBootstrap.of(w, o.getValue(), RESAMPLES, 0.95, seed);
            comparisons.add(new Comparison(objective, o.getKey(), mean(w), mean(o.getValue()), iv));
        }
        return new Pick(List.of(winner), List.of(values.get(best)), List.copyOf(comparisons));
    }

    private static int[] vector(Map<String, Integer> y, List<String> items) {
        int[] v = new int[items.size()];
        for (int i = 0; i < v.length; i++) {
            Integer x = y == null ? null : y.get(items.get(i));
            if (x == null) {
                throw new RunException(
                        "no answer to item " + items.get(i) + " on the whole split (a comparison needs every item)");
            }
            v[i] = x;
        }
        return v;
    }

    private static double mean(int[] v) {
        double s = 0;
        for (int x : v) {
            s += x;
        }
        return s / v.length;
    }
}
