package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * DE/rand/1/bin: R. Storn and K. Price, "Differential Evolution - A Simple and Efficient Heuristic for Global
 * Optimization over Continuous Spaces", J. Global Optimization 11:341-359, 1997.
 *
 * <p>Generation 0 is NP points uniform in the bounds. Every later generation is NP trial vectors at once: for target
 * i, distinct r1, r2, r3 (all != i) uniformly, mutant v = x_r1 + F (x_r2 - x_r3), binomial crossover with rate CR and
 * one forced gene j_rand. When all NP trials are told, trial i replaces target i if its objective is at least as
 * good (ties go to the trial, as in Price, Storn and Lampinen, "Differential Evolution", Springer 2005, so the
 * population can drift across plateaus; the 1997 paper replaces only on strict improvement).
 *
 * <p>Bounds: a trial gene outside [lower, upper] is set to the midpoint between the base vector's gene x_r1,j and
 * the violated bound (the "bounce-back towards the base" repair of Price et al. 2005). It keeps the search local,
 * can approach an optimum on the boundary geometrically, and uses no random numbers, so repairs never shift the
 * random stream.
 *
 * <p>Settings (all optional): {@code population} (NP, default {@code max(4, 10 n)}, at least 4), {@code F} (0.5,
 * in (0, 2]), {@code CR} (0.9, in [0, 1]). Maximises; a NaN objective ranks below everything. {@link #generation()}
 * counts completed generations, the initial population being the first.
 */
public final class DifferentialEvolution implements Optimizer {
    public static final String NAME = "de";
    private static final int VERSION = 1;

    private final Bounds bounds;
    private final int n;
    private final int np;
    private final double f;
    private final double cr;

    private final Rng rng;
    private long generation;
    private long evaluations;
    // The population after selection; null values until generation 0 is complete.
    private final double[][] population;
    private final double[] fitness;

    // The generation being evaluated: candidate firstId + k is trial (or initial point) k.
    private long firstId;
    private final double[][] trials;
    private final double[] values;
    private final boolean[] told;
    private int handedOut;
    private int toldCount;
    private Evaluation best;

    private DifferentialEvolution(Bounds bounds, int np, double f, double cr, Rng rng) {
        this.bounds = bounds;
        this.n = bounds.dimension();
        this.np = np;
        this.f = f;
        this.cr = cr;
        this.rng = rng;
        population = new double[np][];
        fitness = new double[np];
        trials = new double[np][];
        values = new double[np];
        told = new boolean[np];
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Bounds bounds() {
        return bounds;
    }

    @Override
    public int objectives() {
        return 1;
    }

    /** NP, the number of candidates per generation. */
    public int population() {
        return np;
    }

    @Override
    public synchronized List<Candidate> ask(int max) {
        int k = Math.max(0, Math.min(max, np - handedOut));
        List<Candidate> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(new Candidate(firstId + handedOut, trials[handedOut]));
            handedOut++;
        }
        return out;
    }

    @Override
    public synchronized boolean tell(long id, double[] objectives) {
        if (objectives == null || objectives.length != 1) {
            throw new IllegalArgumentException("de is single-objective: tell needs exactly 1 value, got "
                    + (objectives == null ? "null" : objectives.length));
        }
        long k = id - firstId;
        if (k < 0 || k >= handedOut || told[(int) k]) {
            return false;
        }
        int i = (int) k;
        told[i] = true;
        values[i] = objectives[0];
        toldCount++;
        evaluations++;
        double v = objectives[0];
        if (!Double.isNaN(v) && (best == null || v > best.objective(0)
                || (v == best.objective(0) && id < best.candidate().id()))) {
            best = new Evaluation(new Candidate(id, trials[i]), new double[] {v});
        }
        if (toldCount == np) {
            select();
            generation++;
            firstId += np;
            makeTrials();
        }
        return true;
    }

    @Override
    public synchronized long evaluations() {
        return evaluations;
    }

    @Override
    public synchronized long generation() {
        return generation;
    }

    @Override
    public synchronized List<Evaluation> best() {
        return best == null ? List.of() : List.of(best);
    }

    /** NaN ranks below every number. */
    private static double key(double v) {
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }

    /** Generation 0 takes every point; later ones keep trial i when it is at least as good as target i. */
    private void select() {
        for (int i = 0; i < np; i++) {
            if (generation == 0 || key(values[i]) >= key(fitness[i])) {
                population[i] = trials[i];
                fitness[i] = values[i];
            }
        }
    }

    private void makeTrials() {
        if (generation == 0) {
            for (int i = 0; i < np; i++) {
                double[] x = new double[n];
                for (int j = 0; j < n; j++) {
                    x[j] = bounds.lower(j) + rng.nextDouble() * (bounds.upper(j) - bounds.lower(j));
                }
                trials[i] = x;
            }
        } else {
            for (int i = 0; i < np; i++) {
                int r1;
                do {
                    r1 = rng.nextIndex(np);
                } while (r1 == i);
                int r2;
                do {
                    r2 = rng.nextIndex(np);
                } while (r2 == i || r2 == r1);
                int r3;
                do {
                    r3 = rng.nextIndex(np);
                } while (r3 == i || r3 == r1 || r3 == r2);
                int jrand = rng.nextIndex(n);
                double[] target = population[i];
                double[] base = population[r1];
                double[] u = new double[n];
                for (int j = 0; j < n; j++) {
                    boolean cross = rng.nextDouble() < cr || j == jrand; // always draw: a fixed-length stream
                    if (!cross) {
                        u[j] = target[j];
                        continue;
                    }
                    double v = base[j] + f * (population[r2][j] - population[r3][j]);
                    if (v < bounds.lower(j)) {
                        v = (base[j] + bounds.lower(j)) / 2;
                    } else if (v > bounds.upper(j)) {
                        v = (base[j] + bounds.upper(j)) / 2;
                    }
                    u[j] = v;
                }
                trials[i] = u;
            }
        }
        Arrays.fill(told, false);
        Arrays.fill(values, 0);
        handedOut = 0;
        toldCount = 0;
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public synchronized ObjectNode snapshot() {
        JsonNodeFactory jf = JsonNodeFactory.instance;
        ObjectNode s = jf.objectNode();
        s.put("algorithm", NAME);
        s.put("version", VERSION);
        ObjectNode b = s.putObject("bounds");
        b.set("lower", doubles(bounds.lower()));
        b.set("upper", doubles(bounds.upper()));
        ObjectNode settings = s.putObject("settings");
        settings.put("population", np);
        settings.set("F", number(f));
        settings.set("CR", number(cr));
        ArrayNode r = s.putArray("rng");
        for (long v : rng.state()) {
            r.add(v);
        }
        s.put("generation", generation);
        s.put("evaluations", evaluations);
        if (generation > 0) {
            ArrayNode pop = s.putArray("population");
            for (int i = 0; i < np; i++) {
                pop.add(doubles(population[i]));
            }
            s.set("fitness", doubles(fitness));
        }
        ObjectNode cur = s.putObject("current");
        cur.put("firstId", firstId);
        cur.put("handedOut", handedOut);
        ArrayNode t = cur.putArray("trials");
        for (double[] x : trials) {
            t.add(doubles(x));
        }
        ArrayNode tv = cur.putArray("told");
        for (int k = 0; k < np; k++) {
            tv.add(told[k] ? number(values[k]) : jf.nullNode());
        }
        if (best != null) {
            ObjectNode bn = s.putObject("best");
            bn.put("id", best.candidate().id());
            bn.set("genes", doubles(best.candidate().genes()));
            bn.set("objectives", doubles(best.objectives()));
        }
        return s;
    }

    static DifferentialEvolution restore(ObjectNode s) {
        if (!NAME.equals(required(s, "algorithm").asText()) || required(s, "version").asInt() != VERSION) {
            throw new IllegalArgumentException("not a de version " + VERSION + " snapshot: algorithm "
                    + s.path("algorithm") + ", version " + s.path("version"));
        }
        JsonNode b = required(s, "bounds");
        Bounds bounds = new Bounds(toDoubles(required(b, "lower")), toDoubles(required(b, "upper")));
        JsonNode st = required(s, "settings");
        JsonNode r = required(s, "rng");
        long[] state = new long[r.size()];
        for (int i = 0; i < state.length; i++) {
            state[i] = r.get(i).asLong();
        }
        DifferentialEvolution o = new DifferentialEvolution(bounds, required(st, "population").asInt(),
                toDouble(required(st, "F")), toDouble(required(st, "CR")), Rng.restore(state));
        o.generation = required(s, "generation").asLong();
        o.evaluations = required(s, "evaluations").asLong();
        if (o.generation > 0) {
            JsonNode pop = required(s, "population");
            double[] fit = toDoubles(required(s, "fitness"));
            if (pop.size() != o.np || fit.length != o.np) {
                throw new IllegalArgumentException("de snapshot: population size does not match " + o.np);
            }
            for (int i = 0; i < o.np; i++) {
                o.population[i] = vector(pop.get(i), o.n);
                o.fitness[i] = fit[i];
            }
        }
        JsonNode cur = required(s, "current");
        o.firstId = required(cur, "firstId").asLong();
        o.handedOut = required(cur, "handedOut").asInt();
        JsonNode t = required(cur, "trials");
        JsonNode tv = required(cur, "told");
        if (t.size() != o.np || tv.size() != o.np || o.handedOut < 0 || o.handedOut > o.np) {
            throw new IllegalArgumentException("de snapshot: current generation does not match population " + o.np);
        }
        for (int k = 0; k < o.np; k++) {
            o.trials[k] = vector(t.get(k), o.n);
            if (!tv.get(k).isNull()) {
                o.told[k] = true;
                o.values[k] = toDouble(tv.get(k));
                o.toldCount++;
            }
        }
        JsonNode bn = s.get("best");
        if (bn != null && !bn.isNull()) {
            o.best = new Evaluation(new Candidate(required(bn, "id").asLong(), toDoubles(required(bn, "genes"))),
                    toDoubles(required(bn, "objectives")));
        }
        return o;
    }

    // Non-finite doubles as the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers).
    private static JsonNode number(double v) {
        return Double.isFinite(v) ? DoubleNode.valueOf(v) : TextNode.valueOf(Double.toString(v));
    }

    private static double toDouble(JsonNode node) {
        if (node.isTextual()) {
            return Double.parseDouble(node.asText());
        }
        if (!node.isNumber()) {
            throw new IllegalArgumentException("de snapshot: expected a number, got " + node);
        }
        return node.doubleValue();
    }

    private static ArrayNode doubles(double[] a) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode(a.length);
        for (double v : a) {
            out.add(number(v));
        }
        return out;
    }

    private static double[] toDoubles(JsonNode node) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("de snapshot: expected an array of numbers, got " + node);
        }
        double[] out = new double[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toDouble(node.get(i));
        }
        return out;
    }

    private static double[] vector(JsonNode node, int n) {
        double[] v = toDoubles(node);
        if (v.length != n) {
            throw new IllegalArgumentException("de snapshot: vector of length " + v.length + ", expected " + n);
        }
        return v;
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("de snapshot: missing \"" + field + "\"");
        }
        return v;
    }

    // ---------------------------------------------------------------- factory

    /** Reads {@code population}, {@code F}, {@code CR}; see the class comment. */
    public static final class Factory implements Optimizers.Factory {
        @Override
        public Optimizer create(Bounds bounds, int objectives, long seed, Config settings) {
            if (objectives != 1) {
                throw new IllegalArgumentException("de optimises exactly 1 objective, got " + objectives
                        + " (use a multi-objective algorithm such as nsga2)");
            }
            int n = bounds.dimension();
            int np = settings.hasPath("population") ? settings.getInt("population") : Math.max(4, 10 * n);
            if (np < 4) {
                throw new IllegalArgumentException("de: population must be at least 4 (target + 3 donors), got " + np);
            }
            double f = settings.hasPath("F") ? settings.getDouble("F") : 0.5;
            if (!(f > 0 && f <= 2)) {
                throw new IllegalArgumentException("de: F must be in (0, 2], got " + f);
            }
            double cr = settings.hasPath("CR") ? settings.getDouble("CR") : 0.9;
            if (!(cr >= 0 && cr <= 1)) {
                throw new IllegalArgumentException("de: CR must be in [0, 1], got " + cr);
            }
            DifferentialEvolution o = new DifferentialEvolution(bounds, np, f, cr, new Rng(seed));
            o.makeTrials();
            return o;
        }

        @Override
        public Optimizer restore(ObjectNode snapshot) {
            return DifferentialEvolution.restore(snapshot);
        }
    }
}
