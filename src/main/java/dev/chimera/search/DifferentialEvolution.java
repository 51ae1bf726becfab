package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
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
public final class DifferentialEvolution extends GenerationalOptimizer {
    public static final String NAME = "de";
    private static final int VERSION = 2;

    private final int n;
    private final int np;
    private final double f;
    private final double cr;

    // The population after selection; null values until generation 0 is complete.
    private double[][] population;
    private double[] fitness;

    private final BestSoFar best = BestSoFar.excludingNaN();

    private DifferentialEvolution(Bounds bounds, int objectives, Config settings, Rng rng) {
        super(NAME, VERSION, bounds, objectives, rng);
        OptimizerSettings.requireSingleObjective(NAME, objectives);
        this.n = bounds.dimension();
        this.np = OptimizerSettings.integer(settings, "population", Math.max(4, 10 * n));
        OptimizerSettings.require(NAME, np >= 4, "population must be at least 4 (target + 3 donors), got " + np);
        this.f = OptimizerSettings.number(settings, "F", 0.5);
        OptimizerSettings.require(NAME, f > 0 && f <= 2, "F must be in (0, 2], got " + f);
        this.cr = OptimizerSettings.number(settings, "CR", 0.9);
        OptimizerSettings.require(NAME, cr >= 0 && cr <= 1, "CR must be in [0, 1], got " + cr);
        population = new double[np][];
        fitness = new double[np];
    }

    /** NP, the number of candidates per generation. */
    public int population() {
        return np;
    }

    @Override
    Generation first() {
        return makeTrials(0);
    }

    @Override
    void result(Evaluation e) {
        best.offer(e);
    }

    /** Selection among the current generation's trials (candidate k is trial, or initial point, k), then new trials. */
    @Override
    Generation next() {
        select();
        generation++;
        return makeTrials(current.endId());
    }

    @Override
    public synchronized List<Evaluation> best() {
        return best.list();
    }

    /** Generation 0 takes every point; later ones keep trial i when it is at least as good as target i. */
    private void select() {
        double[] values = current.values();
        for (int i = 0; i < np; i++) {
            if (generation == 0
                    || GeneticAlgorithmOperators.rankable(values[i])
                            >= GeneticAlgorithmOperators.rankable(fitness[i])) {
                population[i] = current.candidate(i).genes();
                fitness[i] = values[i];
            }
        }
    }

    private Generation makeTrials(long firstId) {
        if (generation == 0) {
            return Generation.of(firstId, GeneticAlgorithmOperators.uniform(bounds, np, rng));
        }
        double[][] trials = new double[np][];
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
        return Generation.of(firstId, trials);
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    ObjectNode settingsJson() {
        ObjectNode o = SnapshotJson.F.objectNode();
        o.put("population", np);
        o.set("F", SnapshotJson.number(f));
        o.set("CR", SnapshotJson.number(cr));
        return o;
    }

    @Override
    void writeState(ObjectNode s) {
        if (generation > 0) {
            s.set("population", SnapshotJson.matrix(population));
            s.set("fitness", SnapshotJson.doubles(fitness));
        }
        current.write(s);
        best.write(s);
    }

    @Override
    void readState(JsonNode s) {
        if (generation > 0) {
            population = SnapshotJson.matrix(SnapshotJson.required(s, "population"), np, n);
            fitness = SnapshotJson.doubles(SnapshotJson.required(s, "fitness"), np);
        }
        current = Generation.read(s, n);
        OptimizerSettings.require(
                NAME,
                current.size() == np,
                "snapshot generation of " + current.size() + " candidates, population " + np);
        best.read(s);
    }

    /** Registered in {@link Optimizers} as {@code de}; reads {@code population}, {@code F}, {@code CR}. */
    public static final class Factory extends AbstractOptimizer.Factory<DifferentialEvolution> {
        public Factory() {
            super(NAME, VERSION, DifferentialEvolution::new);
        }
    }
}
