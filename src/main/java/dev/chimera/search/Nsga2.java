package dev.chimera.search;

import static dev.chimera.search.OptimizerSettings.integer;
import static dev.chimera.search.OptimizerSettings.number;
import static dev.chimera.search.OptimizerSettings.require;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Arrays;
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
 * so every parent enters two tournaments per generation. The first generation is N uniform random points, of which
 * the first are replaced by the optional setting {@code initial} (a list of points inside the bounds, at most N), as
 * pymoo's {@code sampling} accepts a given population: e.g. the parent models of a merge.
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
public final class Nsga2 extends GenerationalOptimizer {
    public static final String NAME = "nsga2";
    private static final int VERSION = 1;

    /** Resolved settings; see the class javadoc. */
    record Settings(
            int population,
            double crossoverProbability,
            double sbxEta,
            double mutationProbability,
            double mutationEta,
            List<double[]> initial) {
        Settings {
            require(
                    NAME,
                    initial.size() <= population,
                    "initial has " + initial.size() + " points, more than the population " + population);
            require(NAME, population >= 2, "population must be >= 2, got " + population);
            require(
                    NAME,
                    crossoverProbability >= 0 && crossoverProbability <= 1,
                    "crossover_probability must be in [0, 1]");
            require(
                    NAME,
                    mutationProbability >= 0 && mutationProbability <= 1,
                    "mutation_probability must be in [0, 1]");
            require(NAME, sbxEta >= 0, "sbx_eta must be >= 0");
            require(NAME, mutationEta >= 0, "mutation_eta must be >= 0");
        }

        static Settings of(Config c, Bounds bounds) {
            List<double[]> initial = new ArrayList<>();
            if (c.hasPath("initial")) {
                List<? extends List<? extends Number>> points;
                try {
                    @SuppressWarnings("unchecked")
                    List<? extends List<? extends Number>> p =
                            (List<? extends List<? extends Number>>) c.getAnyRefList("initial");
                    points = p;
                    for (List<? extends Number> x : points) {
                        x.forEach(v -> v.doubleValue());
                    }
                } catch (RuntimeException e) {
                    throw new SearchException(
                            NAME + ": initial must be a list of points (lists of numbers): " + e.getMessage(), e);
                }
                for (int k = 0; k < points.size(); k++) {
                    List<? extends Number> x = points.get(k);
                    require(
                            NAME,
                            x.size() == bounds.dimension(),
                            "initial point " + k + " has " + x.size() + " values, the bounds have "
                                    + bounds.dimension());
                    double[] v = x.stream().mapToDouble(Number::doubleValue).toArray();
                    require(
                            NAME,
                            bounds.contains(v),
                            "initial point " + k + " " + Arrays.toString(v) + " is outside the bounds");
                    initial.add(v);
                }
            }
            return new Settings(
                    integer(c, "population", 100),
                    number(c, "crossover_probability", 0.9),
                    number(c, "sbx_eta", 15),
                    number(c, "mutation_probability", 1.0 / bounds.dimension()),
                    number(c, "mutation_eta", 20),
                    List.copyOf(initial));
        }

        ObjectNode toJson() {
            ObjectNode o = SnapshotJson.F.objectNode();
            o.put("population", population);
            o.put("crossover_probability", crossoverProbability);
            o.put("sbx_eta", sbxEta);
            o.put("mutation_probability", mutationProbability);
            o.put("mutation_eta", mutationEta);
            if (!initial.isEmpty()) {
                var a = o.putArray("initial");
                initial.forEach(x -> a.add(SnapshotJson.doubles(x)));
            }
            return o;
        }
    }

    private static final Comparator<Evaluation> BY_ID =
            Comparator.comparingLong(e -> e.candidate().id());

    private final Settings settings;

    /** Survivors of the last completed generation (empty before the first one completes). */
    private List<Evaluation> parents = List.of();
    /** For one objective: the best told result (ties to the lowest id). */
    private final BestSoFar single = BestSoFar.rankingNaNLowest();
    /** For several objectives: the non-dominated told results, in any order. */
    private final List<Evaluation> archive = new ArrayList<>();

    private final List<double[]> archiveY = new ArrayList<>();

    private Nsga2(Bounds bounds, int objectives, Config config, Rng rng) {
        super(NAME, VERSION, bounds, objectives, rng);
        require(NAME, objectives >= 1, "needs at least one objective, got " + objectives);
        this.settings = Settings.of(config, bounds);
    }

    public static Nsga2 create(Bounds bounds, int objectives, long seed, Config settings) {
        return new Factory().create(bounds, objectives, seed, settings);
    }

    @Override
    Generation first() {
        double[][] points = GeneticAlgorithmOperators.uniform(bounds, settings.population(), rng);
        for (int k = 0; k < settings.initial().size(); k++) {
            points[k] = settings.initial().get(k).clone();
        }
        return Generation.of(0, points);
    }

    Settings settings() {
        return settings;
    }

    /** The current parent population (survivors of the last completed generation), for tests and benchmarks. */
    synchronized List<Evaluation> population() {
        return List.copyOf(parents);
    }

    @Override
    void result(Evaluation e) {
        archive(e);
    }

    /** Keeps the archive equal to the non-dominated set of everything told, whatever the tell order. */
    private void archive(Evaluation e) {
        if (objectives == 1) {
            single.offer(e);
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
    public synchronized List<Evaluation> best() {
        if (objectives == 1) {
            return single.list();
        }
        List<Evaluation> out = new ArrayList<>(archive);
        out.sort(BY_ID);
        return out;
    }

    /** (mu + lambda) survival of parents and the complete current generation, then their offspring. */
    @Override
    Generation next() {
        List<Evaluation> pool = new ArrayList<>(parents);
        pool.addAll(current.evaluations());
        long nextId = current.endId();
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
                Arrays.sort(order, (a, b) -> Double.compare(cd[b], cd[a]));
            }
            for (int k = 0; k < order.length && survivors.size() < n; k++) {
                rank[survivors.size()] = f;
                crowding[survivors.size()] = cd[order[k]];
                survivors.add(pool.get(front[order[k]]));
            }
        }
        parents = List.copyOf(survivors);
        generation++;
        return new Generation(offspring(rank, crowding, nextId));
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
            double[] x1 = parents.get(tournament(contestants[0], contestants[1], rank, crowding))
                    .candidate()
                    .genes();
            double[] x2 = parents.get(tournament(contestants[2], contestants[3], rank, crowding))
                    .candidate()
                    .genes();
            if (rng.nextDouble() < settings.crossoverProbability()) {
                for (int j = 0; j < dim; j++) {
                    if (rng.nextDouble() < 0.5) {
                        double[] c = GeneticAlgorithmOperators.sbx(
                                x1[j], x2[j], bounds.lower(j), bounds.upper(j), settings.sbxEta(), rng);
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
                        x[j] = GeneticAlgorithmOperators.polynomial(
                                x[j], bounds.lower(j), bounds.upper(j), settings.mutationEta(), rng);
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
    ObjectNode settingsJson() {
        return settings.toJson();
    }

    @Override
    void writeState(ObjectNode s) {
        s.set("parents", SnapshotJson.evaluations(parents));
        current.write(s);
        s.set("archive", SnapshotJson.evaluations(best()));
    }

    @Override
    void readState(JsonNode s) {
        parents = List.copyOf(SnapshotJson.evaluations(SnapshotJson.required(s, "parents")));
        current = Generation.read(s, bounds.dimension());
        for (Evaluation e : SnapshotJson.evaluations(SnapshotJson.required(s, "archive"))) {
            archive(e); // the stored archive is non-dominated, so this keeps all of it
        }
    }

    /** Registered in {@link Optimizers} as {@code nsga2}. */
    public static final class Factory extends AbstractOptimizer.Factory<Nsga2> {
        public Factory() {
            super(NAME, VERSION, Nsga2::new);
        }
    }
}
