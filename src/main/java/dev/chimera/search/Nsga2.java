package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * NSGA-II (Deb, Pratap, Agarwal, Meyarivan 2002, "A fast and elitist multiobjective genetic algorithm: NSGA-II",
 * IEEE Transactions on Evolutionary Computation 6(2):182-197), driven by ask/tell; all objectives maximised, any
 * number of them (one works too).
 *
 * <p>One generation, as in the paper: parents P (size N) produce N children Q by binary tournaments with the
 * crowded-comparison operator (lower front rank wins, then larger crowding distance, then a coin flip), SBX
 * crossover and polynomial mutation; once all of Q is told, (mu + lambda) survival keeps N of P + Q front by front
 * (fast non-dominated sort) and splits the last front that does not fit by crowding distance, computed within that
 * front. Tournament participants are drawn as in Deb's reference code: from successive random permutations of P,
 * so every parent enters two tournaments per generation. The first generation is N uniform random points.
 *
 * <p>Variation follows the paper's reference code and pymoo's defaults: with probability
 * {@code crossover_probability} (0.9) a pair is recombined by SBX (Deb &amp; Agrawal 1995, distribution index
 * {@code sbx_eta} 15), each variable with probability 1/2; each child variable is then mutated with probability
 * {@code mutation_probability} (1/n) by polynomial mutation (index {@code mutation_eta} 20). Operators in
 * {@link GeneticAlgorithmOperators}. Differences from pymoo: pymoo's tournament compares by dominance before
 * crowding, mutates an individual with probability 0.9 and a variable with min(0.5, 1/n), breaks crowding ties
 * randomly and regenerates offspring that duplicate an existing individual; here the paper's rules hold and
 * crowding ties in survival keep the earlier individual (parents before children, then by id).
 *
 * <p>jenetics.ext's MOEA support is used for the non-dominated sort and the crowding distance (through
 * {@link Pareto}); its {@code NSGA2Selector} and {@code UFTournamentSelector} are not used because they compute
 * crowding distance over the whole population rather than per front, and the latter is a different (unique-fitness)
 * tournament.
 *
 * <p>{@link #best()} is the non-dominated set of all told results (for one objective, the single best), by id.
 * NaN results rank below everything.
 */
public final class Nsga2 implements Optimizer {
    public static final String NAME = "nsga2";

    /** Resolved settings; see the class javadoc. */
    record Settings(int population, double crossoverProbability, double sbxEta, double mutationProbability,
                    double mutationEta) {
        Settings {
            require(population >= 2, "population must be >= 2, got " + population);
            require(crossoverProbability >= 0 && crossoverProbability <= 1, "crossover_probability must be in [0, 1]");
            require(mutationProbability >= 0 && mutationProbability <= 1, "mutation_probability must be in [0, 1]");
            require(sbxEta >= 0, "sbx_eta must be >= 0");
            require(mutationEta >= 0, "mutation_eta must be >= 0");
        }

        static Settings of(Config c, int dimension) {
            return new Settings(
                c.hasPath("population") ? c.getInt("population") : 100,
                c.hasPath("crossover_probability") ? c.getDouble("crossover_probability") : 0.9,
                c.hasPath("sbx_eta") ? c.getDouble("sbx_eta") : 15,
                c.hasPath("mutation_probability") ? c.getDouble("mutation_probability") : 1.0 / dimension,
                c.hasPath("mutation_eta") ? c.getDouble("mutation_eta") : 20);
        }

        ObjectNode toJson() {
            ObjectNode o = GeneticAlgorithmJson.F.objectNode();
            o.put("population", population);
            o.put("crossover_probability", crossoverProbability);
            o.put("sbx_eta", sbxEta);
            o.put("mutation_probability", mutationProbability);
            o.put("mutation_eta", mutationEta);
            return o;
        }

        static Settings fromJson(JsonNode o) {
            return new Settings(req(o, "population").asInt(), req(o, "crossover_probability").asDouble(),
                req(o, "sbx_eta").asDouble(), req(o, "mutation_probability").asDouble(),
                req(o, "mutation_eta").asDouble());
        }

        private static JsonNode req(JsonNode o, String key) {
            return GeneticAlgorithmJson.required(o, key);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("nsga2: " + message);
        }
    }

    private static final Comparator<Evaluation> BY_ID = Comparator.comparingLong(e -> e.candidate().id());

    private final Bounds bounds;
    private final int objectives;
    private final Settings settings;
    private final Rng rng;

    private long generation;
    private long evaluations;
    /** Survivors of the last completed generation (empty before the first one completes). */
    private List<Evaluation> parents = List.of();
    private GeneticAlgorithmBatch batch;
    /** Non-dominated told results (for one objective: the best, ties to the lowest id); any order. */
    private final List<Evaluation> archive = new ArrayList<>();
    private final List<double[]> archiveY = new ArrayList<>();

    private Nsga2(Bounds bounds, int objectives, Settings settings, Rng rng) {
        if (objectives < 1) {
            throw new IllegalArgumentException("nsga2 needs at least one objective, got " + objectives);
        }
        this.bounds = bounds;
        this.objectives = objectives;
        this.settings = settings;
        this.rng = rng;
    }

    public static Nsga2 create(Bounds bounds, int objectives, long seed, Config settings) {
        Nsga2 n = new Nsga2(bounds, objectives, Settings.of(settings, bounds.dimension()), new Rng(seed));
        List<Candidate> first = new ArrayList<>();
        for (int i = 0; i < n.settings.population(); i++) {
            double[] x = new double[bounds.dimension()];
            for (int j = 0; j < x.length; j++) {
                x[j] = GeneticAlgorithmOperators.uniform(bounds.lower(j), bounds.upper(j), n.rng);
            }
            first.add(new Candidate(i, x));
        }
        n.batch = new GeneticAlgorithmBatch(first);
        return n;
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
        return objectives;
    }

    Settings settings() {
        return settings;
    }

    /** The current parent population (survivors of the last completed generation), for tests and benchmarks. */
    synchronized List<Evaluation> population() {
        return List.copyOf(parents);
    }

    @Override
    public synchronized List<Candidate> ask(int max) {
        return batch.ask(max);
    }

    @Override
    public synchronized boolean tell(long id, double[] values) {
        if (values == null || values.length != objectives) {
            throw new IllegalArgumentException("nsga2: expected " + objectives + " objectives, got "
                + (values == null ? null : values.length));
        }
        Evaluation e = batch.tell(id, values);
        if (e == null) {
            return false;
        }
        evaluations++;
        archive(e);
        if (batch.complete()) {
            advance();
        }
        return true;
    }

    /** Keeps the archive equal to the non-dominated set of everything told, whatever the tell order. */
    private void archive(Evaluation e) {
        if (objectives == 1) {
            if (archive.isEmpty()) {
                archive.add(e);
            } else {
                Evaluation b = archive.get(0);
                int c = Double.compare(GeneticAlgorithmOperators.rankable(e.objective(0)),
                    GeneticAlgorithmOperators.rankable(b.objective(0)));
                if (c > 0 || (c == 0 && e.candidate().id() < b.candidate().id())) {
                    archive.set(0, e);
                }
            }
            return;
        }
        // the archive's rankable objectives in a parallel list: this scan runs once per tell over the whole front
        double[] y = GeneticAlgorithmOperators.rankable(e.objectives());
        for (double[] a : archiveY) {
            if (dominates(a, y)) {
                return;
            }
        }
        for (int i = archive.size() - 1; i >= 0; i--) {
            if (dominates(y, archiveY.get(i))) {
                archive.remove(i);
                archiveY.remove(i);
            }
        }
        archive.add(e);
        archiveY.add(y);
    }

    /** Dominance of already rankable vectors (no NaN, no -0.0). */
    private static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] < b[i]) {
                return false;
            }
            better |= a[i] > b[i];
        }
        return better;
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
        List<Evaluation> out = new ArrayList<>(archive);
        out.sort(BY_ID);
        return out;
    }

    private void advance() {
        List<Evaluation> pool = new ArrayList<>(parents);
        pool.addAll(batch.evaluations());
        long nextId = batch.endId();
        int n = settings.population();

        // (mu + lambda) survival: whole fronts while they fit, then the least crowded of the front that does not
        List<double[]> ys = new ArrayList<>(pool.size());
        for (Evaluation e : pool) {
            ys.add(e.objectives());
        }
        List<Evaluation> survivors = new ArrayList<>(n);
        int[] rank = new int[n];
        double[] crowding = new double[n];
        List<int[]> fronts = Pareto.fronts(ys);
        for (int f = 0; f < fronts.size() && survivors.size() < n; f++) {
            int[] front = fronts.get(f);
            List<double[]> fy = new ArrayList<>(front.length);
            for (int i : front) {
                fy.add(ys.get(i));
            }
            double[] cd = Pareto.crowdingDistance(fy);
            Integer[] order = new Integer[front.length];
            for (int k = 0; k < order.length; k++) {
                order[k] = k;
            }
            if (survivors.size() + front.length > n) {
                // stable: equal crowding keeps pool order (parents first, then children by id)
                java.util.Arrays.sort(order, (a, b) -> Double.compare(cd[b], cd[a]));
            }
            for (int k = 0; k < order.length && survivors.size() < n; k++) {
                rank[survivors.size()] = f;
                crowding[survivors.size()] = cd[order[k]];
                survivors.add(pool.get(front[order[k]]));
            }
        }
        parents = List.copyOf(survivors);
        generation++;
        batch = new GeneticAlgorithmBatch(offspring(rank, crowding, nextId));
    }

    private List<Candidate> offspring(int[] rank, double[] crowding, long nextId) {
        int n = settings.population();
        int dim = bounds.dimension();
        List<Candidate> children = new ArrayList<>(n);
        int[] pool = new int[0];
        int pos = 0;
        int[] contestants = new int[4];
        while (children.size() < n) {
            for (int k = 0; k < 4; k++) {
                if (pos == pool.length) {
                    pool = permutation(parents.size());
                    pos = 0;
                }
                contestants[k] = pool[pos++];
            }
            double[] x1 = parents.get(tournament(contestants[0], contestants[1], rank, crowding)).candidate().genes();
            double[] x2 = parents.get(tournament(contestants[2], contestants[3], rank, crowding)).candidate().genes();
            if (rng.nextDouble() < settings.crossoverProbability()) {
                for (int j = 0; j < dim; j++) {
                    if (rng.nextDouble() < 0.5) {
                        double[] c = GeneticAlgorithmOperators.sbx(x1[j], x2[j], bounds.lower(j), bounds.upper(j),
                            settings.sbxEta(), rng);
                        x1[j] = c[0];
                        x2[j] = c[1];
                    }
                }
            }
            for (double[] x : new double[][] {x1, x2}) {
                if (children.size() == n) {
                    break;
                }
                for (int j = 0; j < dim; j++) {
                    if (rng.nextDouble() < settings.mutationProbability()) {
                        x[j] = GeneticAlgorithmOperators.polynomial(x[j], bounds.lower(j), bounds.upper(j),
                            settings.mutationEta(), rng);
                    }
                }
                children.add(new Candidate(nextId++, bounds.clip(x)));
            }
        }
        return children;
    }

    /** Crowded-comparison operator (paper, Sec. III-B); a coin flip between equals. */
    private int tournament(int a, int b, int[] rank, double[] crowding) {
        if (rank[a] != rank[b]) {
            return rank[a] < rank[b] ? a : b;
        }
        int c = Double.compare(crowding[a], crowding[b]);
        if (c != 0) {
            return c > 0 ? a : b;
        }
        return rng.nextDouble() < 0.5 ? a : b;
    }

    /** Fisher-Yates shuffle of 0..n-1. */
    private int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextIndex(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public synchronized ObjectNode snapshot() {
        ObjectNode s = GeneticAlgorithmJson.F.objectNode();
        s.put("algorithm", NAME);
        s.put("version", 1);
        s.set("bounds", GeneticAlgorithmJson.bounds(bounds));
        s.put("objectives", objectives);
        s.set("settings", settings.toJson());
        s.set("rng", GeneticAlgorithmJson.rng(rng));
        s.put("generation", generation);
        s.put("evaluations", evaluations);
        s.set("parents", GeneticAlgorithmJson.evaluations(parents));
        batch.write(s);
        s.set("archive", GeneticAlgorithmJson.evaluations(best()));
        return s;
    }

    static Nsga2 restore(ObjectNode s) {
        GeneticAlgorithmJson.requireAlgorithm(s, NAME);
        Nsga2 n = new Nsga2(
            GeneticAlgorithmJson.bounds(GeneticAlgorithmJson.required(s, "bounds")),
            GeneticAlgorithmJson.required(s, "objectives").asInt(),
            Settings.fromJson(GeneticAlgorithmJson.required(s, "settings")),
            GeneticAlgorithmJson.rng(s.get("rng")));
        n.generation = GeneticAlgorithmJson.required(s, "generation").asLong();
        n.evaluations = GeneticAlgorithmJson.required(s, "evaluations").asLong();
        n.parents = List.copyOf(GeneticAlgorithmJson.evaluations(GeneticAlgorithmJson.required(s, "parents")));
        n.batch = GeneticAlgorithmBatch.read(s);
        for (Evaluation e : GeneticAlgorithmJson.evaluations(GeneticAlgorithmJson.required(s, "archive"))) {
            n.archive.add(e);
            n.archiveY.add(GeneticAlgorithmOperators.rankable(e.objectives()));
        }
        return n;
    }

    /** Registered in {@link Optimizers} as {@code nsga2}. */
    public static final class Factory implements Optimizers.Factory {
        @Override
        public Optimizer create(Bounds bounds, int objectives, long seed, Config settings) {
            return Nsga2.create(bounds, objectives, seed, settings);
        }

        @Override
        public Optimizer restore(ObjectNode snapshot) {
            return Nsga2.restore(snapshot);
        }
    }
}
