package dev.chimera.estimate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Held-out-model benchmark of the accuracy estimators. Models are split into folds (default: one model per fold,
 * i.e. leave-one-model-out); for each fold IRT is fitted on the other models, items are selected from them, and
 * every held-out model's accuracy is estimated from its answers on the n selected items and compared with its true
 * accuracy over all N items. Result: mean absolute error per method and n.
 *
 * <p>A method is {@code selection/estimator}, e.g. {@code random/mean}, {@code anchor-irt/gpirt},
 * {@code random/mpirt} (selections: {@link ItemSelector#kinds()}; estimators: {@link Estimators#names()}).
 * The mp-IRT family is evaluated only on models listed in {@link Options#parents()}; the parents' abilities are
 * fitted on their full responses with the fold's item parameters (as Mergenetic fits its parents' thetas), also
 * when a parent is itself held out.
 */
public final class EstimatorBench {
    private EstimatorBench() {}

    /**
     * @param folds number of folds (models are assigned round-robin after a seeded shuffle); values >= the number
     *     of models mean leave-one-model-out
     * @param repeats item selections per (fold, n, method) with different seeds (tinyBenchmarks' iterations)
     * @param irt IRT settings
     * @param kmeansRestarts k-means restarts for anchor selections (tinyBenchmarks: 5)
     * @param parents merged model -> its parents (for mpirt / gmpirt); may be empty
     * @param estimator estimator options
     */
    public record Options(
            int folds,
            int repeats,
            IrtConfig irt,
            int kmeansRestarts,
            Map<String, List<String>> parents,
            AccuracyEstimator.Options estimator) {
        public Options {
            if (folds < 2) {
                throw new EstimateException("need at least 2 folds");
            }
            if (repeats < 1) {
                throw new EstimateException("need at least 1 repeat");
            }
            parents = Map.copyOf(parents);
        }

        public static Options defaults() {
            return new Options(
                    Integer.MAX_VALUE, 3, IrtConfig.defaults(), 5, Map.of(), AccuracyEstimator.Options.defaults());
        }

        public Options withFolds(int f) {
            return new Options(f, repeats, irt, kmeansRestarts, parents, estimator);
        }

        public Options withRepeats(int r) {
            return new Options(folds, r, irt, kmeansRestarts, parents, estimator);
        }

        public Options withParents(Map<String, List<String>> p) {
            return new Options(folds, repeats, irt, kmeansRestarts, p, estimator);
        }

        public Options withKmeansRestarts(int r) {
            return new Options(folds, repeats, irt, r, parents, estimator);
        }

        public Options withIrt(IrtConfig c) {
            return new Options(folds, repeats, c, kmeansRestarts, parents, estimator);
        }
    }

    /** Leave-one-model-out with the default options. */
    public static Result run(ResponseMatrix matrix, int[] ns, List<String> methods, long seed) {
        return run(matrix, ns, methods, seed, Options.defaults());
    }

    public static Result run(ResponseMatrix matrix, int[] ns, List<String> methods, long seed, Options opt) {
        long t0 = System.nanoTime();
        int m = matrix.models();
        int total = matrix.items();
        if (m < 4) {
            throw new EstimateException("the estimator benchmark needs at least 4 models, got " + m);
        }
        for (int n : ns) {
            if (n < 1 || n > total) {
                throw new EstimateException("n = " + n + " is outside 1.." + total);
            }
        }
        Set<String> kinds = new LinkedHashSet<>();
        boolean needCal = false;
        for (String method : methods) {
            String[] p = split(method);
            kinds.add(p[0]);
            needCal |= p[1].equals("gpirt") || p[1].equals("gmpirt-auto");
        }
        for (Map.Entry<String, List<String>> e : opt.parents().entrySet()) {
            if (matrix.modelIndex(e.getKey()) < 0) {
                throw new EstimateException("parents given for unknown model '" + e.getKey() + "'");
            }
            for (String p : e.getValue()) {
                if (matrix.modelIndex(p) < 0) {
                    throw new EstimateException("unknown parent '" + p + "' of model '" + e.getKey() + "'");
                }
            }
        }
        int folds = Math.min(opt.folds(), m);
        int[] perm = ItemSelector.permutation(m, new SplittableRandom(seed));
        // errors[method][n index][model] summed over repeats; counts alongside
        Map<String, double[][]> err = new LinkedHashMap<>();
        Map<String, int[][]> cnt = new LinkedHashMap<>();
        for (String method : methods) {
            err.put(method, new double[ns.length][m]);
            cnt.put(method, new int[ns.length][m]);
        }
        for (int f = 0; f < folds; f++) {
            List<Integer> held = new ArrayList<>();
            List<Integer> train = new ArrayList<>();
            for (int k = 0; k < m; k++) {
                (k % folds == f ? held : train).add(perm[k]);
            }
            held.sort(null);
            train.sort(null);
            ResponseMatrix ref = matrix.selectModels(
                    train.stream().mapToInt(Integer::intValue).toArray());
            IrtModel irt = IrtModel.fit(ref, opt.irt());
            Calibration cal = needCal ? Calibration.compute(ref, opt.irt()) : null;
            ItemSelector selector = new ItemSelector(ref, irt, opt.kmeansRestarts());
            Map<String, double[]> parentTheta = new HashMap<>();
            int[] all = new int[total];
            for (int j = 0; j < total; j++) {
                all[j] = j;
            }
            for (int ni = 0; ni < ns.length; ni++) {
                int n = ns[ni];
                for (String kind : kinds) {
                    for (int r = 0; r < opt.repeats(); r++) {
                        long s = mix(seed, f, n, r, kind);
                        Selection sel = selector.select(kind, n, s);
                        AccuracyEstimator est = new AccuracyEstimator(irt, sel, cal, opt.estimator(), total);
                        int[] items = sel.items();
                        for (int h : held) {
                            double[] row = matrix.row(h);
                            double[] y = new double[items.length];
                            for (int k = 0; k < items.length; k++) {
                                y[k] = row[items[k]];
                            }
                            double truth = matrix.accuracy(h);
                            List<String> ps = opt.parents().get(matrix.model(h));
                            double[][] pth = null;
                            if (ps != null) {
                                pth = new double[ps.size()][];
                                for (int k = 0; k < ps.size(); k++) {
                                    String pn = ps.get(k);
                                    pth[k] = parentTheta.computeIfAbsent(
                                            pn, name -> irt.fitTheta(all, matrix.row(matrix.modelIndex(name))));
                                }
                            }
                            for (String method : methods) {
                                String[] p = split(method);
                                if (!p[0].equals(kind)) {
                                    continue;
                                }
                                boolean merge = p[1].startsWith("mpirt") || p[1].startsWith("gmpirt");
                                if (merge && pth == null) {
                                    continue;
                                }
                                double e = Math.abs(est.estimate(p[1], y, pth) - truth);
                                err.get(method)[ni][h] += e;
                                cnt.get(method)[ni][h]++;
                            }
                        }
                    }
                }
            }
        }
        Map<String, Map<Integer, Map<String, Double>>> perModel = new LinkedHashMap<>();
        for (String method : methods) {
            Map<Integer, Map<String, Double>> byN = new LinkedHashMap<>();
            for (int ni = 0; ni < ns.length; ni++) {
                Map<String, Double> byModel = new LinkedHashMap<>();
                for (int h = 0; h < m; h++) {
                    int c = cnt.get(method)[ni][h];
                    if (c > 0) {
                        byModel.put(matrix.model(h), err.get(method)[ni][h] / c);
                    }
                }
                byN.put(ns[ni], byModel);
            }
            perModel.put(method, byN);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Result(m, total, folds, opt.repeats(), seed, ns.clone(), List.copyOf(methods), perModel, secs);
    }

    private static String[] split(String method) {
        int k = method.indexOf('/');
        if (k <= 0 || k == method.length() - 1) {
            throw new EstimateException("method '" + method + "' must be selection/estimator, e.g. random/mean");
        }
        String kind = method.substring(0, k);
        String est = method.substring(k + 1);
        if (!ItemSelector.kinds().contains(kind)) {
            throw new EstimateException(
                    "unknown selection '" + kind + "' in '" + method + "' (known: " + ItemSelector.kinds() + ")");
        }
        if (!Estimators.names().contains(est)) {
            throw new EstimateException(
                    "unknown estimator '" + est + "' in '" + method + "' (known: " + Estimators.names() + ")");
        }
        return new String[] {kind, est};
    }

    private static long mix(long seed, int fold, int n, int rep, String kind) {
        long h = seed * 0x9E3779B97F4A7C15L + fold;
        h = h * 0xBF58476D1CE4E5B9L + n;
        h = h * 0x94D049BB133111EBL + rep;
        h = h * 31 + kind.hashCode();
        return h ^ (h >>> 31);
    }

    /**
     * Benchmark outcome.
     *
     * @param perModel method -> n -> model -> absolute error (mean over repeats); models without a value for a method
     *     (mp-IRT without parents) are absent
     * @param seconds wall time
     */
    public record Result(
            int models,
            int items,
            int folds,
            int repeats,
            long seed,
            int[] ns,
            List<String> methods,
            Map<String, Map<Integer, Map<String, Double>>> perModel,
            double seconds) {

        /** Mean absolute error of a method at n over all models it was evaluated on (NaN if none). */
        public double mae(String method, int n) {
            return maeOver(method, n, null);
        }

        /** Mean absolute error over the given models only (null: all). */
        public double maeOver(String method, int n, Set<String> models) {
            Map<Integer, Map<String, Double>> byN = perModel.get(method);
            if (byN == null || !byN.containsKey(n)) {
                throw new EstimateException("no result for method '" + method + "' at n = " + n);
            }
            double s = 0;
            int c = 0;
            for (Map.Entry<String, Double> e : byN.get(n).entrySet()) {
                if (models == null || models.contains(e.getKey())) {
                    s += e.getValue();
                    c++;
                }
            }
            return c == 0 ? Double.NaN : s / c;
        }

        /** Number of models a method was evaluated on at n. */
        public int count(String method, int n) {
            return perModel.get(method).get(n).size();
        }

        /** Summary as plain maps and lists (for the CLI's JSON output). */
        public Map<String, Object> toMap() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("models", models);
            out.put("items", items);
            out.put("folds", folds);
            out.put("repeats", repeats);
            out.put("seed", seed);
            List<Integer> nl = new ArrayList<>();
            for (int n : ns) {
                nl.add(n);
            }
            out.put("ns", nl);
            Map<String, Object> mae = new LinkedHashMap<>();
            Map<String, Object> counts = new LinkedHashMap<>();
            for (String method : methods) {
                Map<String, Object> byN = new LinkedHashMap<>();
                Map<String, Object> cN = new LinkedHashMap<>();
                for (int n : ns) {
                    double v = mae(method, n);
                    byN.put(Integer.toString(n), Double.isNaN(v) ? null : v);
                    cN.put(Integer.toString(n), count(method, n));
                }
                mae.put(method, byN);
                counts.put(method, cN);
            }
            out.put("mae", mae);
            out.put("evaluated_models", counts);
            out.put("seconds", seconds);
            return out;
        }

        public String toJson() {
            try {
                return new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(toMap());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Fixed-width text table: one row per method, one MAE column per n. */
        public String toTable() {
            int w = "method".length();
            for (String method : methods) {
                w = Math.max(w, method.length());
            }
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%-" + w + "s", "method"));
            for (int n : ns) {
                sb.append(String.format(Locale.ROOT, "  %9s", "n=" + n));
            }
            sb.append(String.format(Locale.ROOT, "  %7s%n", "models"));
            for (String method : methods) {
                sb.append(String.format(Locale.ROOT, "%-" + w + "s", method));
                int c = 0;
                for (int n : ns) {
                    double v = mae(method, n);
                    sb.append(
                            Double.isNaN(v)
                                    ? String.format(Locale.ROOT, "  %9s", "-")
                                    : String.format(Locale.ROOT, "  %9.4f", v));
                    c = Math.max(c, count(method, n));
                }
                sb.append(String.format(Locale.ROOT, "  %7d%n", c));
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "MAE of the estimated vs true accuracy (%d models x %d items, %d folds, %d repeats, seed %d, %.1f s)%n",
                    models,
                    items,
                    folds,
                    repeats,
                    seed,
                    seconds));
            return sb.toString();
        }
    }
}
