package dev.chimera.extending;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.chimera.search.Bounds;
import dev.chimera.search.Candidate;
import dev.chimera.search.Evaluation;
import dev.chimera.search.Optimizer;
import dev.chimera.search.Optimizers;
import io.jenetics.DoubleChromosome;
import io.jenetics.DoubleGene;
import io.jenetics.Genotype;
import io.jenetics.Phenotype;
import io.jenetics.engine.Engine;
import io.jenetics.engine.EvolutionResult;
import io.jenetics.engine.EvolutionStart;
import io.jenetics.util.ISeq;
import io.jenetics.util.RandomRegistry;
import io.jenetics.util.Seq;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * docs/extending.md's example of wrapping a Jenetics {@link Engine} (its default genetic algorithm: tournament
 * selection, single-point crossover, mutation) as an ask/tell {@link Optimizer} for one objective. Jenetics' engine
 * evaluates a whole population inside {@code evolve}; here its {@link io.jenetics.engine.Evaluator} hands the
 * unevaluated phenotypes out as candidates and waits (on a daemon thread of this optimizer, never the caller's) until
 * all are told. Each generation evolves with a {@link Random} seeded from the run's seed and the generation number,
 * on that one thread, so a snapshot (the generation's start population, the ids handed out and the results told)
 * restores to exactly the same candidates.
 */
public final class JeneticsEngineOptimizer implements Optimizer {
    public static final String NAME = "jenetics-engine";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Bounds bounds;
    private final long seed;
    private final int populationSize;
    private final Engine<DoubleGene, Double> engine;

    // guarded by this
    private EvolutionStart<DoubleGene, Double> start;
    private long firstId; // the id of this generation's first candidate
    private long nextId;
    private final Map<Long, double[]> genes = new LinkedHashMap<>(); // this generation's candidates
    private final Map<Long, Double> told = new LinkedHashMap<>(); // this generation's results
    private final Deque<Candidate> toHandOut = new ArrayDeque<>();
    private long evaluations;
    private Evaluation best;

    private JeneticsEngineOptimizer(Bounds bounds, long seed, int populationSize) {
        this.bounds = bounds;
        this.seed = seed;
        this.populationSize = populationSize;
        List<DoubleChromosome> genotype = new ArrayList<>();
        for (int i = 0; i < bounds.dimension(); i++) {
            genotype.add(DoubleChromosome.of(DoubleGene.of(bounds.lower(i), bounds.upper(i))));
        }
        this.engine = new Engine.Builder<>(this::evaluate, Genotype.of(genotype))
                .populationSize(populationSize)
                .maximizing()
                .executor(Runnable::run) // every random draw on the evolving thread, under its generation's seed
                .build();
    }

    /** The factory a plugin registers; settings: {@code population} (default 20). */
    public static final class Factory implements Optimizers.Factory {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Optimizer create(Bounds bounds, int objectives, long seed, Config settings) {
            if (objectives != 1) {
                throw new IllegalArgumentException(NAME + " optimizes one objective, not " + objectives);
            }
            int population = settings.hasPath("population") ? settings.getInt("population") : 20;
            JeneticsEngineOptimizer o = new JeneticsEngineOptimizer(bounds, seed, population);
            o.start = EvolutionStart.empty();
            o.evolveInTheBackground();
            return o;
        }

        @Override
        public Optimizer restore(ObjectNode s) {
            JeneticsEngineOptimizer o = new JeneticsEngineOptimizer(
                    new Bounds(array(s.get("lower")), array(s.get("upper"))),
                    s.get("seed").asLong(),
                    s.get("population").asInt());
            List<Phenotype<DoubleGene, Double>> population = new ArrayList<>();
            for (JsonNode p : s.get("start")) {
                population.add(
                        o.phenotype(array(p.get("genes")), p.get("generation").asLong(), p.get("fitness")));
            }
            o.start = population.isEmpty()
                    ? EvolutionStart.empty()
                    : EvolutionStart.of(ISeq.of(population), s.get("generation").asLong());
            o.firstId = s.get("firstId").asLong();
            o.nextId = o.firstId;
            s.get("told")
                    .fields()
                    .forEachRemaining(e ->
                            o.told.put(Long.parseLong(e.getKey()), e.getValue().asDouble()));
            o.evaluations = s.get("evaluations").asLong();
            if (s.hasNonNull("best")) {
                o.best = new Evaluation(
                        new Candidate(s.get("bestId").asLong(), array(s.get("best"))),
                        new double[] {s.get("bestValue").asDouble()});
            }
            o.evolveInTheBackground();
            return o;
        }
    }

    private void evolveInTheBackground() {
        Thread t = new Thread(
                () -> {
                    while (true) {
                        EvolutionStart<DoubleGene, Double> from;
                        synchronized (this) {
                            from = start;
                        }
                        long g = from.generation();
                        EvolutionResult<DoubleGene, Double> r =
                                RandomRegistry.with(new Random(seed * 1_000_003L + g), rnd -> engine.evolve(from));
                        synchronized (this) {
                            start = r.next();
                            firstId = nextId;
                            genes.clear();
                            told.clear();
                        }
                    }
                },
                NAME + "-" + seed);
        t.setDaemon(true);
        t.start();
    }

    /** Jenetics' evaluator: the unevaluated phenotypes become candidates; returns once all are told. */
    private ISeq<Phenotype<DoubleGene, Double>> evaluate(Seq<Phenotype<DoubleGene, Double>> population) {
        long[] ids = new long[population.size()];
        synchronized (this) {
            for (int i = 0; i < population.size(); i++) {
                Phenotype<DoubleGene, Double> p = population.get(i);
                if (p.isEvaluated()) {
                    ids[i] = -1;
                    continue;
                }
                ids[i] = nextId++;
                double[] x = new double[bounds.dimension()];
                for (int d = 0; d < x.length; d++) {
                    x[d] = p.genotype().get(d).gene().allele();
                }
                genes.put(ids[i], x);
                if (!told.containsKey(ids[i])) { // results told before a snapshot are not asked again
                    toHandOut.add(new Candidate(ids[i], x));
                }
            }
            while (!told.keySet().containsAll(genes.keySet())) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(NAME + " was interrupted", e);
                }
            }
            List<Phenotype<DoubleGene, Double>> out = new ArrayList<>();
            for (int i = 0; i < population.size(); i++) {
                Phenotype<DoubleGene, Double> p = population.get(i);
                out.add(ids[i] < 0 ? p : p.withFitness(told.get(ids[i])));
            }
            return ISeq.of(out);
        }
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

    @Override
    public synchronized List<Candidate> ask(int max) {
        List<Candidate> out = new ArrayList<>();
        while (out.size() < max && !toHandOut.isEmpty()) {
            out.add(toHandOut.poll());
        }
        return out; // empty while the engine is between generations or waiting for tells
    }

    @Override
    public synchronized boolean tell(long id, double[] objectives) {
        if (!genes.containsKey(id) || told.containsKey(id)) {
            return false;
        }
        told.put(id, objectives[0]);
        evaluations++;
        if (best == null || objectives[0] > best.objectives()[0]) {
            best = new Evaluation(new Candidate(id, genes.get(id).clone()), objectives.clone());
        }
        notifyAll();
        return true;
    }

    @Override
    public synchronized long evaluations() {
        return evaluations;
    }

    @Override
    public synchronized long generation() {
        return start.generation();
    }

    @Override
    public synchronized List<Evaluation> best() {
        return best == null ? List.of() : List.of(best);
    }

    @Override
    public synchronized ObjectNode snapshot() {
        ObjectNode s = JSON.createObjectNode();
        s.put("algorithm", NAME);
        s.set("lower", JSON.valueToTree(bounds.lower()));
        s.set("upper", JSON.valueToTree(bounds.upper()));
        s.put("seed", seed);
        s.put("population", populationSize);
        s.put("generation", start.generation());
        ArrayNode pop = s.putArray("start");
        for (Phenotype<DoubleGene, Double> p : start.population()) {
            ObjectNode n = pop.addObject();
            double[] x = new double[bounds.dimension()];
            for (int d = 0; d < x.length; d++) {
                x[d] = p.genotype().get(d).gene().allele();
            }
            n.set("genes", JSON.valueToTree(x));
            n.put("generation", p.generation());
            if (p.isEvaluated()) {
                n.put("fitness", p.fitness());
            }
        }
        s.put("firstId", firstId);
        ObjectNode t = s.putObject("told");
        told.forEach((id, v) -> t.put(Long.toString(id), v));
        s.put("evaluations", evaluations);
        if (best != null) {
            s.set("best", JSON.valueToTree(best.candidate().genes()));
            s.put("bestId", best.candidate().id());
            s.put("bestValue", best.objectives()[0]);
        }
        return s;
    }

    private Phenotype<DoubleGene, Double> phenotype(double[] x, long generation, JsonNode fitness) {
        List<DoubleChromosome> cs = new ArrayList<>();
        for (int d = 0; d < x.length; d++) {
            cs.add(DoubleChromosome.of(DoubleGene.of(x[d], bounds.lower(d), bounds.upper(d))));
        }
        Genotype<DoubleGene> g = Genotype.of(cs);
        return fitness == null ? Phenotype.of(g, generation) : Phenotype.of(g, generation, fitness.asDouble());
    }

    private static double[] array(JsonNode n) {
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }
}
