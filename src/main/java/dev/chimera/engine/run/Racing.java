package dev.chimera.engine.run;

import dev.chimera.estimate.IrtConfig;
import dev.chimera.estimate.ItemIrt;
import dev.chimera.search.Pareto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongFunction;

/**
 * Multi-fidelity evaluation as a pure rule over the journal's state: successive halving (Jamieson and Talwalkar
 * 2016; Li et al. 2018, Hyperband) within each cohort of candidates, with a racing filter as in F-Race and irace
 * (Birattari et al. 2002; Lopez-Ibanez et al. 2016), where items play the part of instances.
 *
 * <p>Every candidate answers the same items in the same order, so a rung is a prefix of the split and any two
 * candidates can be compared on the items both answered: a paired comparison, whose variance is far below that of
 * two independent accuracies when the candidates are close (merges near the same recipe answer mostly the same
 * items). When every member of a cohort alive at rung k has answered its items:
 * <ol>
 *   <li>racing: a member stays in the race only if its paired upper bound against the incumbent, mean difference
 *       + z standard errors, is at least 0 (for several objectives: on at least one objective); into the whole split,
 *       the costliest rung, only if its mean difference is above 0 (it looks better than the incumbent);</li>
 *   <li>halving: of those, at most ceil(m / eta) go up to rung k+1 (m = members alive at k), best estimates first;
 *       the others' races end at k.</li>
 * </ol>
 * The incumbent of a cohort is the best candidate on the whole split (per objective) among the reference points and
 * the members of earlier cohorts, so decisions depend on nothing that happens during the cohort: for generational
 * optimizers (a cohort is a generation, the next asked only when it is told) a run, resumed or not, takes the same
 * decisions. A race that ends tells the optimizer the candidate's exact accuracy on the whole split, or below it the
 * fidelity estimator: {@code paired} = the incumbent's accuracy + the paired mean difference on the candidate's
 * items (unbiased over the item order, low variance near the incumbent), {@code mean} on its items, or {@code irt}:
 * gp-IRT ({@link ItemIrt}) on an IRT model fitted to the whole-split rows of the same pool (and the parents'), so
 * the item parameters are learnt from the run's own merges as they are promoted ({@link #fit}); paired while the pool
 * has fewer than {@link ItemIrt#MIN_ROWS} rows.
 *
 * <p>{@link #advance} is idempotent: it says which jobs a cohort needs and, once every race of the cohort has ended,
 * what each is told (see {@link #consistent}), given what the journal holds; the coordinator calls it after every
 * result and, on resume, for every open cohort.
 */
public final class Racing {
    private final RunSpec.Fidelity settings;
    private final List<String> objectives;
    private final Map<String, List<String>> order;
    private final Map<String, List<Integer>> rungs;
    private final int top;

    /** A job the cohort needs: candidate {@code id} answers rung {@code rung}'s items beyond rung {@code from}. */
    public record Need(long id, int rung, int from) {}

    /** A race that ended: what the optimizer is told, and the rung it reached. */
    public record Ended(long id, double[] values, int rung) {}

    /** What a cohort needs next; {@code done} when every member's race has ended. */
    public record Step(List<Need> needs, List<Ended> ended, boolean done) {}

    /**
     * What a cohort's estimates rest on: its incumbent per objective (null where none) and, for the {@code irt}
     * estimator, the IRT fit per objective (objectives without one fall back to {@code paired}).
     */
    public record Basis(Long[] incumbents, Map<String, ItemIrt> irt) {
        public static Basis of(Long[] incumbents) {
            return new Basis(incumbents, Map.of());
        }
    }

    /**
     * @param objectives the objectives, in the run's order (each must have items)
     * @param order per objective, every item id in the run's seeded order
     * @param rungs per objective, the item counts of the rungs (ascending, the last = all items)
     */
    public Racing(
            RunSpec.Fidelity settings,
            List<String> objectives,
            Map<String, List<String>> order,
            Map<String, List<Integer>> rungs) {
        this.settings = settings;
        this.objectives = List.copyOf(objectives);
        this.order = Map.copyOf(order);
        this.rungs = Map.copyOf(rungs);
        int t = -1;
        for (String o : objectives) {
            List<Integer> r = rungs.get(o);
            if (r == null || order.get(o) == null) {
                throw new IllegalArgumentException(
                        "objective " + o + " has no items (multi-fidelity needs items on every objective)");
            }
            t = Math.max(t, r.size() - 1);
        }
        this.top = t;
    }

    /** The index of the whole split's rung. */
    public int top() {
        return top;
    }

    /** Items answered by the end of rung {@code rung} on objective {@code o}. */
    int count(String o, int rung) {
        List<Integer> r = rungs.get(o);
        return r.get(Math.min(rung, r.size() - 1));
    }

    /**
     * The incumbent per objective among {@code pool} (reference points and candidates of earlier cohorts): the one
     * with the best accuracy on the whole split (lowest id among equals); null entries where none reached it.
     */
    public Long[] incumbents(RunState.Fidelity progress, Iterable<Long> pool) {
        Long[] inc = new Long[objectives.size()];
        double[] best = new double[objectives.size()];
        for (long id : new TreeSet<Long>(asSet(pool))) {
            if (progress.rung(id) < top) {
                continue;
            }
            for (int k = 0; k < objectives.size(); k++) {
                double a = mean(progress.of(id).get(objectives.get(k)));
                if (inc[k] == null || a > best[k]) {
                    inc[k] = id;
                    best[k] = a;
                }
            }
        }
        return inc;
    }

    private static Set<Long> asSet(Iterable<Long> ids) {
        Set<Long> s = new TreeSet<>();
        ids.forEach(s::add);
        return s;
    }

    /**
     * What cohort {@code members} needs now, given the answers so far and the cohort's incumbents. {@code needs}
     * lists every job the cohort waits for (the caller drops those queued or in flight); once none is left,
     * {@code ended} lists every member's race with the value it is told (the caller drops those it journaled).
     */
    public Step advance(List<Long> members, RunState.Fidelity progress, Basis basis) {
        return advance(members, progress, basis, Long.MAX_VALUE);
    }

    /**
     * {@link #advance} within an item budget: {@code allowance} is what the cohort may spend on its rungs (the
     * run's budget minus what everything else has spent). Promotions whose items would exceed it are not made; what
     * the cohort spends is counted rung by rung from its members' rungs, so the decision at a rung does not depend on
     * what happened after it and a resumed run takes the same decisions.
     */
    public Step advance(List<Long> members, RunState.Fidelity progress, Basis basis, long allowance) {
        List<Long> alive = new ArrayList<>(new TreeSet<>(members));
        List<Ended> ended = new ArrayList<>();
        for (int k = 0; k <= top; k++) {
            List<Need> needs = new ArrayList<>();
            for (long id : alive) {
                int reached = progress.rung(id);
                if (reached < k) {
                    needs.add(new Need(id, k, k == 0 ? -1 : reached));
                }
            }
            if (!needs.isEmpty()) {
                return new Step(needs, List.of(), false);
            }
            if (k == top) {
                for (long id : alive) {
                    ended.add(new Ended(id, exact(progress.of(id)), top));
                }
                return new Step(List.of(), consistent(ended), true);
            }
            long spent = 0;
            for (long id : members) {
                spent += items(Math.min(progress.rung(id), k));
            }
            List<Long> up = promote(
                    k, alive, progress, basis, allowance == Long.MAX_VALUE ? Long.MAX_VALUE : allowance - spent);
            List<Long> next = new ArrayList<>();
            for (long id : alive) {
                // a member the journal shows higher went up when it was decided (a decision of another timing)
                if (up.contains(id) || progress.rung(id) > k) {
                    next.add(id);
                } else {
                    ended.add(new Ended(id, estimate(upTo(k, progress.of(id)), progress, basis), k));
                }
            }
            if (next.isEmpty()) {
                return new Step(List.of(), consistent(ended), true);
            }
            alive = next;
        }
        throw new IllegalStateException("unreachable");
    }

    /**
     * The values told once a cohort's races have all ended: the races that ended at rung k are told their estimates,
     * scaled down together where needed so that none is more than the lowest value told to a member that went further
     * (per objective). The race judged those better on more items; an estimate from fewer items above them would be
     * the luckier draw, not the better merge (the winner's curse), and rank-based algorithms would follow it. Scaling
     * the rung's group as a whole keeps its own order, which is still the best information about its members.
     */
    static List<Ended> consistent(List<Ended> ended) {
        TreeMap<Integer, List<Ended>> byRung = new TreeMap<>(Comparator.reverseOrder());
        for (Ended e : ended) {
            byRung.computeIfAbsent(e.rung(), r -> new ArrayList<>()).add(e);
        }
        List<Ended> out = new ArrayList<>();
        double[] ceiling = null;
        for (List<Ended> group : byRung.values()) {
            int m = group.get(0).values().length;
            double[] scale = new double[m];
            Arrays.fill(scale, 1);
            if (ceiling != null) {
                for (int o = 0; o < m; o++) {
                    double max = 0;
                    for (Ended e : group) {
                        max = Math.max(max, e.values()[o]);
                    }
                    if (max > ceiling[o]) {
                        scale[o] = ceiling[o] / max;
                    }
                }
            }
            double[] lowest = null;
            for (Ended e : group) {
                double[] v = e.values().clone();
                for (int o = 0; o < m; o++) {
                    v[o] *= scale[o];
                }
                out.add(new Ended(e.id(), v, e.rung()));
                if (lowest == null) {
                    lowest = v.clone();
                } else {
                    for (int o = 0; o < m; o++) {
                        lowest[o] = Math.min(lowest[o], v[o]);
                    }
                }
            }
            if (ceiling == null) {
                ceiling = lowest;
            } else {
                for (int o = 0; o < m; o++) {
                    ceiling[o] = Math.min(ceiling[o], lowest[o]);
                }
            }
        }
        out.sort(Comparator.comparingLong(Ended::id));
        return out;
    }

    /**
     * The final rung: of the candidates whose race ended below the whole split, the best {@code k} by the estimate
     * their race ended with (their items up to that rung, against the incumbents among the candidates whose race
     * reached the whole split and the {@code references}, and the IRT fit {@code irt} for that estimator); Pareto
     * front first, then the sum, then the lower id. The caller scores those not yet on the whole split. Nothing the
     * final rung adds changes the list (it uses neither the finalists' new items nor incumbents they could become), so
     * a resumed run scores the same ones, at most {@code k}.
     */
    public List<Long> finalists(RunState.Fidelity progress, List<Long> references, Map<String, ItemIrt> irt, int k) {
        Basis basis = new Basis(incumbents(progress, finalPool(progress, references)), irt);
        Map<Long, double[]> est = new LinkedHashMap<>();
        for (Map.Entry<Long, RunEvent.Scored> e : new TreeMap<>(progress.scored()).entrySet()) {
            if (e.getKey() >= 0 && e.getValue().rung() < top) {
                est.put(e.getKey(), estimate(upTo(e.getValue().rung(), progress.of(e.getKey())), progress, basis));
            }
        }
        List<Long> ids = new ArrayList<>(est.keySet());
        ids.sort(rank(est));
        return List.copyOf(ids.subList(0, Math.min(k, ids.size())));
    }

    /** A candidate scored on the whole split: the estimate its first rung gave (first objective) and the truth. */
    public record Finalist(long id, double estimate, double exact, int items) {
        /** Mean absolute error of the estimates, NaN for none. */
        public static double meanError(List<Finalist> f) {
            return f.stream()
                    .mapToDouble(x -> Math.abs(x.estimate() - x.exact()))
                    .average()
                    .orElse(Double.NaN);
        }
    }

    /**
     * The pool of the final rung's decisions: the references and the candidates whose race reached the whole split
     * (a candidate the final rung scores later is not in it).
     */
    public List<Long> finalPool(RunState.Fidelity progress, List<Long> references) {
        List<Long> pool = new ArrayList<>(references);
        progress.scored().forEach((id, sc) -> {
            if (sc.rung() >= top) {
                pool.add(id);
            }
        });
        return pool;
    }

    /**
     * The fidelity estimator on the candidates scored on the whole split: what it made of each one's first-rung
     * items (on {@code basisOf(id)}, what its cohort's decisions rested on) and the accuracy on every item. The
     * finalists are the candidates the search kept, so this is where an estimator's optimism (the winner's curse)
     * shows.
     */
    public List<Finalist> finalists(RunState.Fidelity progress, LongFunction<Basis> basisOf) {
        List<Finalist> out = new ArrayList<>();
        String o = objectives.get(0);
        for (long id : new TreeSet<>(progress.rungs().keySet())) {
            if (id < 0 || progress.rung(id) < top) {
                continue;
            }
            double est = estimate(upTo(0, progress.of(id)), progress, basisOf.apply(id))[0];
            Map<String, Integer> all = progress.of(id).get(o);
            out.add(new Finalist(id, est, mean(all), all.size()));
        }
        return out;
    }

    /** The ids of {@code pool} scored on the whole split, in order: the rows an IRT fit on that pool uses. */
    public List<Long> rows(RunState.Fidelity progress, Iterable<Long> pool) {
        List<Long> out = new ArrayList<>();
        for (long id : asSet(pool)) {
            if (progress.rung(id) >= top) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * The {@code irt} estimator's fit per objective on the whole-split answers of {@code references} and of the
     * {@code parents} (per objective, each parent's answers to every item); objectives with fewer than
     * {@link ItemIrt#MIN_ROWS} rows get none. A pure function of its inputs (the fit is seeded), so a resumed run
     * that reads the same references from the journal gets the same fit.
     */
    public Map<String, ItemIrt> fit(
            RunState.Fidelity progress,
            List<Long> references,
            Map<String, Map<String, Map<String, Integer>>> parents,
            IrtConfig cfg) {
        Map<String, ItemIrt> out = new LinkedHashMap<>();
        for (String o : objectives) {
            // parents by name: the fit depends on the rows' order (the calibration holds out every fifth row), and
            // parents.json's order is not part of the run
            List<Map<String, Integer>> rows =
                    new ArrayList<>(new TreeMap<>(parents.getOrDefault(o, Map.of())).values());
            for (long id : references) {
                rows.add(progress.of(id).get(o));
            }
            if (rows.size() >= ItemIrt.MIN_ROWS) {
                out.put(o, ItemIrt.fit(order.get(o), rows, cfg));
            }
        }
        return out;
    }

    /** Items a candidate has answered by the end of rung {@code rung}, over all objectives (0 below rung 0). */
    public long items(int rung) {
        if (rung < 0) {
            return 0;
        }
        long n = 0;
        for (String o : objectives) {
            n += count(o, rung);
        }
        return n;
    }

    /** Rung k's decision: racing filter, then the best ceil(m / eta) by estimate, as far as {@code allowance} goes. */
    List<Long> promote(int k, List<Long> alive, RunState.Fidelity progress, Basis basis, long allowance) {
        Long[] incumbents = basis.incumbents();
        List<Long> kept = new ArrayList<>();
        Map<Long, double[]> est = new LinkedHashMap<>();
        for (long id : alive) {
            // the decision at rung k sees rung k's items only, even if the journal already holds more (a resume)
            Map<String, Map<String, Integer>> mine = upTo(k, progress.of(id));
            boolean stays = false;
            for (int o = 0; o < objectives.size() && !stays; o++) {
                if (incumbents[o] == null) {
                    stays = true;
                } else if (k + 1 < top) {
                    stays = upperBound(
                                    mine.get(objectives.get(o)),
                                    progress.of(incumbents[o]).get(objectives.get(o)),
                                    settings.z())
                            >= 0;
                } else {
                    // the whole split is the costliest rung: only for candidates that look better than the incumbent
                    stays = upperBound(
                                    mine.get(objectives.get(o)),
                                    progress.of(incumbents[o]).get(objectives.get(o)),
                                    0)
                            > 0;
                }
            }
            if (stays) {
                kept.add(id);
                est.put(id, estimate(mine, progress, basis));
            }
        }
        int cap = (alive.size() + settings.eta() - 1) / settings.eta();
        kept.sort(rank(est));
        long cost = items(k + 1) - items(k);
        int affordable = allowance == Long.MAX_VALUE ? cap : (int) Math.max(0, Math.min(cap, allowance / cost));
        return kept.subList(0, Math.min(affordable, kept.size()));
    }

    /** A candidate's answers to the items of rungs 0..k. */
    private Map<String, Map<String, Integer>> upTo(int k, Map<String, Map<String, Integer>> answers) {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        for (String o : objectives) {
            Map<String, Integer> y = answers.getOrDefault(o, Map.of());
            Map<String, Integer> cut = new LinkedHashMap<>();
            for (String item : order.get(o).subList(0, count(o, k))) {
                Integer v = y.get(item);
                if (v != null) {
                    cut.put(item, v);
                }
            }
            out.put(o, cut);
        }
        return out;
    }

    /** Best first: by Pareto front of the estimates, then their sum, then the lower id. */
    private static Comparator<Long> rank(Map<Long, double[]> est) {
        List<Long> ids = new ArrayList<>(est.keySet());
        int[] ranks = Pareto.ranks(ids.stream().map(est::get).toList());
        Map<Long, Integer> front = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            front.put(ids.get(i), ranks[i]);
        }
        return Comparator.<Long>comparingInt(front::get)
                .thenComparing(id -> -sum(est.get(id)))
                .thenComparing(id -> id);
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    /** Mean paired difference + z standard errors over the items the candidate answered. */
    static double upperBound(Map<String, Integer> mine, Map<String, Integer> incumbent, double z) {
        int n = 0;
        double sum = 0;
        double sq = 0;
        for (Map.Entry<String, Integer> e : mine.entrySet()) {
            Integer r = incumbent.get(e.getKey());
            if (r == null) {
                continue;
            }
            double d = e.getValue() - r;
            n++;
            sum += d;
            sq += d * d;
        }
        if (n == 0) {
            return 0;
        }
        double mean = sum / n;
        double var = n > 1 ? Math.max(0, (sq - n * mean * mean) / (n - 1)) : 0;
        return mean + z * Math.sqrt(var / n);
    }

    /** Per objective: the exact accuracy (whole split) or the fidelity estimator on the items answered. */
    double[] estimate(Map<String, Map<String, Integer>> mine, RunState.Fidelity progress, Basis basis) {
        Long[] incumbents = basis.incumbents();
        double[] v = new double[objectives.size()];
        for (int o = 0; o < v.length; o++) {
            String name = objectives.get(o);
            Map<String, Integer> y = mine.getOrDefault(name, Map.of());
            if (y.size() >= order.get(name).size() || settings.estimator().equals("mean")) {
                v[o] = mean(y);
                continue;
            }
            ItemIrt fit = basis.irt().get(name);
            if (fit != null && settings.estimator().equals("irt") && !y.isEmpty()) {
                v[o] = fit.estimate(y);
                continue;
            }
            if (incumbents[o] == null) {
                v[o] = mean(y);
                continue;
            }
            Map<String, Integer> inc = progress.of(incumbents[o]).get(name);
            double diff = 0;
            int n = 0;
            for (Map.Entry<String, Integer> e : y.entrySet()) {
                Integer r = inc.get(e.getKey());
                if (r != null) {
                    diff += e.getValue() - r;
                    n++;
                }
            }
            v[o] = Math.max(0, Math.min(1, mean(inc) + (n == 0 ? 0 : diff / n)));
        }
        return v;
    }

    private double[] exact(Map<String, Map<String, Integer>> mine) {
        double[] v = new double[objectives.size()];
        for (int o = 0; o < v.length; o++) {
            v[o] = mean(mine.getOrDefault(objectives.get(o), Map.of()));
        }
        return v;
    }

    /** Accuracy over the answers given (0 for none). */
    public static double mean(Map<String, Integer> y) {
        if (y == null || y.isEmpty()) {
            return 0;
        }
        double s = 0;
        for (int x : y.values()) {
            s += x;
        }
        return s / y.size();
    }
}
