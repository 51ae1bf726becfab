package dev.chimera.demo;

import static dev.chimera.demo.DemoTasks.bestEntries;
import static dev.chimera.demo.DemoTasks.check;
import static dev.chimera.demo.DemoTasks.heldOut;
import static dev.chimera.demo.DemoTasks.parentSearchScores;
import static dev.chimera.demo.DemoTasks.parents;
import static dev.chimera.demo.DemoTasks.seconds;
import static dev.chimera.demo.DemoTasks.taskName;
import static dev.chimera.demo.DemoTasks.uniformYaml;

import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.engine.run.SearchSpace;
import dev.chimera.estimate.ExtractResult;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeConfigYaml;
import dev.chimera.merge.MergeRunner;
import dev.chimera.search.genome.Genome;
import dev.chimera.tensor.AtomicFiles;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import dev.chimera.zoo.Zoo;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The single-objective demo after a run without multi-fidelity (fixed n items per candidate, an estimator): the
 * parents, the uniform merges and the evolved merge on the held-out split, and the estimator check, which re-scores
 * the K best candidates on the whole search split and picks the evolved merge among them.
 */
final class FixedEvaluation {
    private final DemoOptions o;
    private final PrintStream out;
    private final Map<String, Double> phases;

    FixedEvaluation(DemoOptions o, Map<String, Double> phases) {
        this.o = o;
        this.out = o.out();
        this.phases = phases;
    }

    DemoResult evaluate(
            RunSpec spec,
            Zoo zoo,
            Path runDir,
            Path runFile,
            RunState state,
            List<ExtractResult> extracts,
            DemoResult.SearchCost cost,
            String runState,
            String reason,
            long t0) {
        RunSpec.ObjectiveSpec objective = spec.objectives().get(0);
        Path search = Path.of(objective.task());
        Path test = heldOut(search);
        String testName = taskName(test);
        out.println("== held-out evaluation on " + testName + " (every item, greedy generation as chimera eval)");
        long te = System.nanoTime();
        List<DemoResult.Row> rows = new ArrayList<>();
        Map<String, Path> parents = parents(zoo);
        try (Scorer scorer = new Scorer(zoo.base(), new ArrayList<>(parents.values()), spec.seed(), out::println)) {
            for (Map.Entry<String, Path> p : parents.entrySet()) {
                Scorer.Score s = scorer.folder(p.getKey(), p.getValue(), test);
                rows.add(new DemoResult.Row(
                        p.getKey(),
                        p.getValue(),
                        parentSearchScores(spec, extracts, p.getValue()),
                        Map.of(testName, s.accuracy()),
                        s.items(),
                        s.seconds(),
                        -1));
            }
            for (double w : new double[] {1.0, 0.5}) {
                String label = String.format(Locale.ROOT, "uniform TA %.1f/%.1f", w, w);
                Path yaml = runDir.resolve(String.format(Locale.ROOT, "uniform-ta-%.1f.yaml", w));
                String text = uniformYaml(zoo, w);
                AtomicFiles.writeString(yaml, text);
                MergeConfig c = MergeConfigYaml.parse(text, yaml.toString());
                Scorer.Score s = scorer.merge(label, c, List.of(test)).get(test);
                rows.add(new DemoResult.Row(
                        label, null, Map.of(), Map.of(testName, s.accuracy()), s.items(), s.seconds(), -1));
            }
            Path best = runDir.resolve("best");
            if (!Files.isRegularFile(best.resolve("config.json"))) {
                throw new DemoException("the finished run has no evolved model folder " + best);
            }
            DemoTasks.BestEntry b = bestEntries(runDir).get(0);
            phases.put("heldOutEval", seconds(te));

            // 5. the K best candidates by estimate, scored on every item of the search split: this measures the
            // estimator and picks the evolved merge (the search keeps the luckiest estimate; the full split does not)
            List<DemoResult.EstimatorCheck> checks = new ArrayList<>();
            RunEvent.Evaluated chosen = null;
            long validationItems = 0;
            if (o.estimatorCheck() > 0) {
                long tc = System.nanoTime();
                out.println("== estimator check: the best " + o.estimatorCheck() + " candidates on every item of "
                        + taskName(search) + "; the best of them is the evolved merge");
                Genome genome = SearchSpace.of(spec).genome();
                List<RunEvent.Evaluated> top = state.evaluated().values().stream()
                        .sorted(Comparator.comparingDouble((RunEvent.Evaluated e) -> -e.objectives()[0])
                                .thenComparingLong(RunEvent.Evaluated::id))
                        .limit(o.estimatorCheck())
                        .toList();
                List<DemoResult.Check> l = new ArrayList<>();
                double bestFull = -1;
                for (RunEvent.Evaluated e : top) {
                    Scorer.Score full = scorer.merge("candidate " + e.id(), genome.decode(e.genes()), List.of(search))
                            .get(search);
                    l.add(new DemoResult.Check(e.id(), e.objectives()[0], full.accuracy(), full.items()));
                    validationItems += full.items();
                    if (full.accuracy() > bestFull) { // ties keep the higher estimate (earlier in the list)
                        bestFull = full.accuracy();
                        chosen = e;
                    }
                }
                checks.add(check(objective.name(), l));
                phases.put("estimatorCheck", seconds(tc));
                if (chosen.id() != b.id()) {
                    best = writeEvolved(spec, genome, chosen, runDir);
                }
            }
            long th = System.nanoTime();
            long evolvedId = chosen != null ? chosen.id() : b.id();
            double estimate = chosen != null ? chosen.objectives()[0] : b.objectives()[0];
            Scorer.Score s = scorer.folder("evolved", best, test);
            double searchWall =
                    phases.get("extract") + phases.get("search") + phases.getOrDefault("estimatorCheck", 0.0);
            rows.add(new DemoResult.Row(
                    "evolved",
                    best,
                    Map.of(objective.name(), estimate),
                    Map.of(testName, s.accuracy()),
                    cost.totalItems() + validationItems,
                    searchWall,
                    evolvedId));
            phases.put("heldOutEval", phases.get("heldOutEval") + seconds(th));
            double evolved = rows.get(rows.size() - 1).heldOut().get(testName);
            double bestParent = rows.subList(0, 3).stream()
                    .mapToDouble(r -> r.heldOut().get(testName))
                    .max()
                    .orElseThrow();
            double bestUniform = rows.subList(3, 5).stream()
                    .mapToDouble(r -> r.heldOut().get(testName))
                    .max()
                    .orElseThrow();
            phases.put("total", seconds(t0));
            return new DemoResult(
                    Demo.MODE_SINGLE,
                    runDir,
                    zoo.dir(),
                    runFile,
                    spec.name(),
                    runState,
                    reason,
                    List.copyOf(rows),
                    cost,
                    100 * (evolved - bestParent),
                    100 * (evolved - bestUniform),
                    List.copyOf(checks),
                    List.of(),
                    null,
                    Map.copyOf(phases),
                    List.of());
        }
    }

    /**
     * The chosen candidate as {@code evolved/} + {@code evolved.yaml} when it is not the run's own best (which the run
     * wrote as {@code best/}); replaced when a continued demo writes it again.
     */
    private Path writeEvolved(RunSpec spec, Genome genome, RunEvent.Evaluated e, Path runDir) {
        Path dir = runDir.resolve("evolved");
        out.println("   candidate " + e.id() + " scores best on the whole search split: writing it to " + dir);
        AtomicFiles.writeString(runDir.resolve("evolved.yaml"), genome.yaml(e.genes()));
        MergeRunner.run(
                genome.decode(e.genes()),
                Path.of("/"),
                dir,
                new MergeRunner.Options(
                        "cpu",
                        spec.seed(),
                        ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES,
                        spec.mergeThreads(),
                        true),
                new MergeRunner.Listener() {});
        return dir;
    }
}
