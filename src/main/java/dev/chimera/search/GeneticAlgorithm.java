package dev.chimera.search;

import static dev.chimera.search.OptimizerSettings.choice;
import static dev.chimera.search.OptimizerSettings.integer;
import static dev.chimera.search.OptimizerSettings.number;
import static dev.chimera.search.OptimizerSettings.require;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.jenetics.Alterer;
import io.jenetics.AltererResult;
import io.jenetics.Chromosome;
import io.jenetics.Crossover;
import io.jenetics.DoubleChromosome;
import io.jenetics.DoubleGene;
import io.jenetics.Genotype;
import io.jenetics.Optimize;
import io.jenetics.Phenotype;
import io.jenetics.TournamentSelector;
import io.jenetics.util.ISeq;
import io.jenetics.util.MSeq;
import io.jenetics.util.RandomRegistry;
import io.jenetics.util.Seq;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Real-coded generational genetic algorithm (single objective, maximised) with elitism, tournament selection, SBX or
 * BLX-alpha crossover and polynomial or Gaussian mutation, driven by ask/tell.
 *
 * <p>Built on Jenetics 7 (https://jenetics.io): individuals are {@link Phenotype}s of one {@link DoubleChromosome}
 * of {@link DoubleGene}s normalised to [0, 1] (a DoubleChromosome has one range for all its genes; the operators
 * are equivariant under the per-gene affine map, so this changes nothing but rounding). Parents are chosen by
 * Jenetics' {@link TournamentSelector} and varied by Jenetics {@link Alterer}s: the crossovers are {@link Crossover}
 * subclasses, so pairing is Jenetics' Recombinator's (each offspring slot is, with the crossover probability,
 * recombined with a random partner). Jenetics' Engine evaluates fitness synchronously, which does not fit ask/tell,
 * so this class runs one generation step itself once all results of a generation are in, inside
 * {@code RandomRegistry.with(rng, ...)} so that every Jenetics draw comes
 * from the snapshot-able {@link Rng}. The gene operators themselves are in {@link GeneticAlgorithmOperators}
 * (Jenetics' own SBX/intermediate/Gaussian operators differ from the published ones; see there). The mutation
 * alterer flips each gene independently with the mutation probability (Deb's convention), unlike Jenetics'
 * {@code Mutator}, which gates individual, chromosome and gene each with p^(1/3).
 *
 * <p>Survival ({@code survival}): "mu+lambda" (the default, as pymoo's GA): {@code offspring} children are bred by
 * tournament selection, crossover and mutation from the {@code population} survivors, and the next survivors are the
 * best {@code population} of survivors and children together (the best is never lost); "generational": the
 * {@code elitism} best are carried over unchanged and not re-evaluated, the other {@code population - elitism} slots
 * are children bred from the whole population. With {@code eliminate_duplicates} (default true, as pymoo) a child
 * equal to a parent or to an earlier child is not asked for and mating is repeated to fill the generation, so no
 * evaluation is spent twice on a point. Ties in fitness are broken by the lower candidate id. NaN results rank below
 * everything.
 *
 * <p>Settings (all optional): {@code population} 50, {@code survival} "mu+lambda" | "generational" (mu+lambda),
 * {@code offspring} = population (mu+lambda), {@code elitism} 2 (generational), {@code eliminate_duplicates} true,
 * {@code tournament} 2, {@code crossover} "sbx" | "blend" (sbx), {@code crossover_probability} 0.9, {@code sbx_eta}
 * 15, {@code blend_alpha} 0.5, {@code mutation} "polynomial" | "gaussian" (polynomial), {@code mutation_probability}
 * 1/n, {@code mutation_eta} 20, {@code gaussian_sigma} 0.1 (fraction of each gene's bound width).
 *
 * <p>References: Deb &amp; Agrawal 1995 (SBX), Eshelman &amp; Schaffer 1993 (BLX-alpha), Deb &amp; Goyal 1996
 * (polynomial mutation), Goldberg &amp; Deb 1991 (tournament selection).
 */
public final class GeneticAlgorithm extends GenerationalOptimizer {
    public static final String NAME = "ga";
    private static final int VERSION = 2;

    /** Resolved settings; see the class javadoc for meanings and defaults. */
    record Settings(
            int population,
            int elitism,
            int tournament,
            String crossover,
            double crossoverProbability,
            double sbxEta,
            double blendAlpha,
            String mutation,
            double mutationProbability,
            double mutationEta,
            double gaussianSigma,
            String survival,
            int offspring,
            boolean eliminateDuplicates) {
        static final String MU_PLUS_LAMBDA = "mu+lambda";
        static final String GENERATIONAL = "generational";

        Settings {
            require(
                    NAME,
                    survival.equals(MU_PLUS_LAMBDA) || survival.equals(GENERATIONAL),
                    "survival must be \"mu+lambda\" or \"generational\", got \"" + survival + "\"");
            require(NAME, offspring >= 1, "offspring must be >= 1, got " + offspring);
            require(NAME, population >= 2, "population must be >= 2, got " + population);
            require(NAME, elitism >= 0 && elitism < population, "elitism must be in [0, population), got " + elitism);
            require(NAME, tournament >= 2, "tournament must be >= 2, got " + tournament);
            require(
                    NAME,
                    crossover.equals("sbx") || crossover.equals("blend"),
                    "crossover must be \"sbx\" or \"blend\", got \"" + crossover + "\"");
            require(
                    NAME,
                    mutation.equals("polynomial") || mutation.equals("gaussian"),
                    "mutation must be \"polynomial\" or \"gaussian\", got \"" + mutation + "\"");
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
            require(NAME, blendAlpha >= 0, "blend_alpha must be >= 0");
            require(NAME, gaussianSigma > 0, "gaussian_sigma must be > 0");
        }

        static Settings of(Config c, int dimension) {
            int population = integer(c, "population", 50);
            return new Settings(
                    population,
                    integer(c, "elitism", 2),
                    integer(c, "tournament", 2),
                    choice(c, "crossover", "sbx"),
                    number(c, "crossover_probability", 0.9),
                    number(c, "sbx_eta", 15),
                    number(c, "blend_alpha", 0.5),
                    choice(c, "mutation", "polynomial"),
                    number(c, "mutation_probability", 1.0 / dimension),
                    number(c, "mutation_eta", 20),
                    number(c, "gaussian_sigma", 0.1),
                    choice(c, "survival", MU_PLUS_LAMBDA),
                    integer(c, "offspring", population),
                    !c.hasPath("eliminate_duplicates") || c.getBoolean("eliminate_duplicates"));
        }

        boolean muPlusLambda() {
            return survival.equals(MU_PLUS_LAMBDA);
        }

        ObjectNode toJson() {
            ObjectNode o = SnapshotJson.F.objectNode();
            o.put("population", population);
            o.put("elitism", elitism);
            o.put("tournament", tournament);
            o.put("crossover", crossover);
            o.put("crossover_probability", crossoverProbability);
            o.put("sbx_eta", sbxEta);
            o.put("blend_alpha", blendAlpha);
            o.put("mutation", mutation);
            o.put("mutation_probability", mutationProbability);
            o.put("mutation_eta", mutationEta);
            o.put("gaussian_sigma", gaussianSigma);
            o.put("survival", survival);
            o.put("offspring", offspring);
            o.put("eliminate_duplicates", eliminateDuplicates);
            return o;
        }
    }

    private final Settings settings;
    private final TournamentSelector<DoubleGene, Double> selector;
    private final Alterer<DoubleGene, Double> alterer;

    /** Elites of the previous generation, carried into the current one without re-evaluation. */
    private List<Evaluation> carried = List.of();

    private final BestSoFar best = BestSoFar.rankingNaNLowest();

    private GeneticAlgorithm(Bounds bounds, int objectives, Config config, Rng rng) {
        super(NAME, VERSION, bounds, objectives, rng);
        OptimizerSettings.requireSingleObjective(NAME, objectives);
        this.settings = Settings.of(config, bounds.dimension());
        this.selector = new TournamentSelector<>(settings.tournament());
        Alterer<DoubleGene, Double> crossover = settings.crossover().equals("sbx")
                ? new Sbx(settings.crossoverProbability(), settings.sbxEta())
                : new Blend(settings.crossoverProbability(), settings.blendAlpha());
        GeneOp op = settings.mutation().equals("polynomial")
                ? (x, lo, hi, r) -> GeneticAlgorithmOperators.polynomial(x, lo, hi, settings.mutationEta(), r)
                // genes are normalised to [0, 1], so the sigma as a fraction of the width is the sigma itself
                : (x, lo, hi, r) -> GeneticAlgorithmOperators.gaussian(x, lo, hi, settings.gaussianSigma(), r);
        this.alterer = crossover.andThen(new GeneMutator(settings.mutationProbability(), op));
    }

    /** A new run: the first generation is {@code population} uniform random points. */
    public static GeneticAlgorithm create(Bounds bounds, int objectives, long seed, Config settings) {
        return new Factory().create(bounds, objectives, seed, settings);
    }

    @Override
    Generation first() {
        return Generation.of(0, GeneticAlgorithmOperators.uniform(bounds, settings.population(), rng));
    }

    Settings settings() {
        return settings;
    }

    @Override
    void result(Evaluation e) {
        best.offer(e);
    }

    @Override
    public synchronized List<Evaluation> best() {
        return best.list();
    }

    /**
     * The next generation once the current one is complete. (mu + lambda): the parents are the best
     * {@code population} of the previous parents and the new candidates, and all {@code offspring} children are new
     * candidates. Generational: the parents are the carried elites and the new candidates, the {@code elitism} best
     * are carried on, and {@code population - elitism} children are new candidates.
     */
    @Override
    Generation next() {
        List<Evaluation> pool = new ArrayList<>(carried);
        pool.addAll(current.evaluations());
        generation++;
        long nextId = current.endId();

        List<Evaluation> ranked = new ArrayList<>(pool);
        ranked.sort(BestSoFar.BETTER_FIRST);
        List<Evaluation> parents;
        int children;
        if (settings.muPlusLambda()) {
            parents = List.copyOf(ranked.subList(0, Math.min(settings.population(), ranked.size())));
            carried = parents;
            children = settings.offspring();
        } else {
            parents = pool;
            carried = List.copyOf(ranked.subList(0, settings.elitism()));
            children = settings.population() - settings.elitism();
        }
        ISeq<Phenotype<DoubleGene, Double>> phenotypes =
                ISeq.of(parents.stream().map(this::phenotype).toList());
        // duplicate elimination as pymoo's: a child equal to a parent or to an earlier child is dropped and mating is
        // repeated (at most MATING_ROUNDS times) until the generation is full
        Set<List<Double>> seen = new HashSet<>();
        if (settings.eliminateDuplicates()) {
            parents.forEach(e -> seen.add(key(e.candidate().genes())));
        }
        List<Candidate> next = new ArrayList<>(children);
        for (int round = 0; round < MATING_ROUNDS && next.size() < children; round++) {
            int want = children - next.size();
            ISeq<Phenotype<DoubleGene, Double>> offspring = RandomRegistry.with(rng, r -> {
                ISeq<Phenotype<DoubleGene, Double>> chosen = selector.select(phenotypes, want, Optimize.MAXIMUM);
                return alterer.alter(chosen, generation).population();
            });
            for (Phenotype<DoubleGene, Double> pt : offspring) {
                double[] x = genes(pt);
                if (!settings.eliminateDuplicates() || seen.add(key(x))) {
                    next.add(new Candidate(nextId++, x));
                }
            }
            if (!settings.eliminateDuplicates()) {
                break;
            }
        }
        if (next.isEmpty()) {
            throw new IllegalStateException("ga: no new candidate in " + MATING_ROUNDS
                    + " rounds of mating (the population has converged to one point)");
        }
        return new Generation(next);
    }

    private static final int MATING_ROUNDS = 100;

    private static List<Double> key(double[] x) {
        List<Double> k = new ArrayList<>(x.length);
        for (double v : x) {
            k.add(v == 0 ? 0.0 : v); // -0.0 and 0.0 are the same point
        }
        return k;
    }

    /**
     * Jenetics individual of a told candidate. Genes are normalised to [0, 1] because a DoubleChromosome needs one
     * range for all its genes; every operator used is equivariant under the per-gene affine map (SBX and polynomial
     * mutation depend only on distance ratios, BLX on the parents' interval, the Gaussian sigma is a fraction of the
     * width), so this is the same algorithm as in the original coordinates.
     */
    private Phenotype<DoubleGene, Double> phenotype(Evaluation e) {
        DoubleGene[] genes = new DoubleGene[bounds.dimension()];
        for (int j = 0; j < genes.length; j++) {
            double width = bounds.upper(j) - bounds.lower(j);
            double u = width > 0 ? (e.candidate().gene(j) - bounds.lower(j)) / width : 0;
            // DoubleGene's range is nominally half-open; our operators treat it as the closed interval
            genes[j] = DoubleGene.of(GeneticAlgorithmOperators.clamp(u, 0, 1), 0, 1);
        }
        Genotype<DoubleGene> gt = Genotype.of(List.of(DoubleChromosome.of(genes)));
        return Phenotype.of(gt, generation, fitness(e));
    }

    /** Candidate genes of a Jenetics individual: back from [0, 1] to the bounds. */
    private double[] genes(Phenotype<DoubleGene, Double> pt) {
        Chromosome<DoubleGene> ch = pt.genotype().chromosome();
        double[] x = new double[ch.length()];
        for (int j = 0; j < x.length; j++) {
            x[j] = bounds.lower(j) + ch.get(j).doubleValue() * (bounds.upper(j) - bounds.lower(j));
        }
        return bounds.clip(x);
    }

    private static double fitness(Evaluation e) {
        return GeneticAlgorithmOperators.rankable(e.objective(0));
    }

    @Override
    ObjectNode settingsJson() {
        return settings.toJson();
    }

    @Override
    void writeState(ObjectNode s) {
        s.set("carried", SnapshotJson.evaluations(carried));
        current.write(s);
        best.write(s);
    }

    @Override
    void readState(JsonNode s) {
        carried = List.copyOf(SnapshotJson.evaluations(SnapshotJson.required(s, "carried")));
        current = Generation.read(s, bounds.dimension());
        best.read(s);
    }

    /** Registered in {@link Optimizers} as {@code ga}. */
    public static final class Factory extends AbstractOptimizer.Factory<GeneticAlgorithm> {
        public Factory() {
            super(NAME, VERSION, GeneticAlgorithm::new);
        }
    }

    /** A mutation of one gene within [lo, hi]. */
    @FunctionalInterface
    interface GeneOp {
        double apply(double x, double lo, double hi, RandomGenerator r);
    }

    /** SBX as a Jenetics crossover: each variable recombined with probability 1/2 (Deb's convention). */
    static final class Sbx extends Crossover<DoubleGene, Double> {
        private final double eta;

        Sbx(double probability, double eta) {
            super(probability);
            this.eta = eta;
        }

        @Override
        protected int crossover(MSeq<DoubleGene> that, MSeq<DoubleGene> other) {
            RandomGenerator r = RandomRegistry.random();
            int altered = 0;
            for (int i = 0, n = Math.min(that.length(), other.length()); i < n; i++) {
                if (r.nextDouble() < 0.5) {
                    DoubleGene a = that.get(i);
                    DoubleGene b = other.get(i);
                    double[] c =
                            GeneticAlgorithmOperators.sbx(a.doubleValue(), b.doubleValue(), a.min(), a.max(), eta, r);
                    that.set(i, a.newInstance(c[0]));
                    other.set(i, b.newInstance(c[1]));
                    altered++;
                }
            }
            return altered;
        }
    }

    /** BLX-alpha as a Jenetics crossover: every variable of both children drawn independently. */
    static final class Blend extends Crossover<DoubleGene, Double> {
        private final double alpha;

        Blend(double probability, double alpha) {
            super(probability);
            this.alpha = alpha;
        }

        @Override
        protected int crossover(MSeq<DoubleGene> that, MSeq<DoubleGene> other) {
            RandomGenerator r = RandomRegistry.random();
            int n = Math.min(that.length(), other.length());
            for (int i = 0; i < n; i++) {
                DoubleGene a = that.get(i);
                DoubleGene b = other.get(i);
                double x = a.doubleValue();
                double y = b.doubleValue();
                that.set(i, a.newInstance(GeneticAlgorithmOperators.blend(x, y, a.min(), a.max(), alpha, r)));
                other.set(i, b.newInstance(GeneticAlgorithmOperators.blend(x, y, b.min(), b.max(), alpha, r)));
            }
            return 2 * n;
        }
    }

    /** Mutates each gene of each individual independently with the given probability. */
    static final class GeneMutator implements Alterer<DoubleGene, Double> {
        private final double probability;
        private final GeneOp op;

        GeneMutator(double probability, GeneOp op) {
            this.probability = probability;
            this.op = op;
        }

        @Override
        public AltererResult<DoubleGene, Double> alter(Seq<Phenotype<DoubleGene, Double>> population, long generation) {
            RandomGenerator r = RandomRegistry.random();
            List<Phenotype<DoubleGene, Double>> out = new ArrayList<>(population.size());
            int altered = 0;
            for (Phenotype<DoubleGene, Double> pt : population) {
                Chromosome<DoubleGene> ch = pt.genotype().chromosome();
                DoubleGene[] genes = null;
                for (int i = 0; i < ch.length(); i++) {
                    if (r.nextDouble() < probability) {
                        if (genes == null) {
                            genes = ch.stream().toArray(DoubleGene[]::new);
                        }
                        DoubleGene g = genes[i];
                        genes[i] = g.newInstance(op.apply(g.doubleValue(), g.min(), g.max(), r));
                        altered++;
                    }
                }
                out.add(
                        genes == null
                                ? pt
                                : Phenotype.of(Genotype.of(List.of(DoubleChromosome.of(genes))), generation));
            }
            return new AltererResult<>(ISeq.of(out), altered);
        }
    }
}
