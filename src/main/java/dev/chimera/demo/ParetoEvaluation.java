package dev.chimera.demo;

import static dev.chimera.demo.DemoTasks.bestEntries;
import static dev.chimera.demo.DemoTasks.check;
import static dev.chimera.demo.DemoTasks.parentSearchScores;
import static dev.chimera.demo.DemoTasks.parents;
import static dev.chimera.demo.DemoTasks.seconds;
import static dev.chimera.demo.DemoTasks.taskName;

import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.estimate.ExtractResult;
import dev.chimera.tensor.AtomicFiles;
import dev.chimera.zoo.Zoo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The multi-objective demo after its run: the parents and points of the Pareto set on both skills' held-out splits,
 * the estimator check on distinct points of the front, and the plot.
 */
final class ParetoEvaluation {
    private final DemoOptions o;
    private final PrintStream out;
    private final Map<String, Double> phases;

    ParetoEvaluation(DemoOptions o, Map<String, Double> phases) {
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
        List<Path> searchTasks =
                spec.objectives().stream().map(ob -> Path.of(ob.task())).toList();
        List<Path> tests = searchTasks.stream().map(DemoTasks::heldOut).toList();
        List<String> names =
                spec.objectives().stream().map(RunSpec.ObjectiveSpec::name).toList();
        out.println("== held-out evaluation on "
                + String.join(", ", tests.stream().map(DemoTasks::taskName).toList())
                + " (every item, greedy generation as chimera eval)");
        long te = System.nanoTime();
        Map<String, Path> parents = parents(zoo);
        List<DemoResult.Row> rows = new ArrayList<>();
        List<DemoResult.Row> pareto = new ArrayList<>();
        List<DemoResult.EstimatorCheck> checks = new ArrayList<>();
        try (Scorer scorer = new Scorer(zoo.base(), new ArrayList<>(parents.values()), spec.seed(), out::println)) {
            for (Map.Entry<String, Path> p : parents.entrySet()) {
                Map<String, Double> searchScores = parentSearchScores(spec, extracts, p.getValue());
                if (searchScores.size() < names.size()) {
                    // objectives without an estimator have no extract stage: score the parent on the whole search split
                    Map<Path, Scorer.Score> s = scorer.folder(p.getKey(), p.getValue(), searchTasks);
                    for (int k = 0; k < names.size(); k++) {
                        searchScores.putIfAbsent(
                                names.get(k), s.get(searchTasks.get(k)).accuracy());
                    }
                }
                Map<Path, Scorer.Score> held = scorer.folder(p.getKey(), p.getValue(), tests);
                rows.add(row(p.getKey(), p.getValue(), searchScores, held, -1));
            }
            List<DemoTasks.BestEntry> best = bestEntries(runDir);
            List<Integer> order = new ArrayList<>();
            for (int k = 0; k < best.size(); k++) {
                order.add(k);
            }
            order.sort(Comparator.comparingDouble((Integer k) -> best.get(k).objectives()[0])
                    .thenComparingInt(k -> k));
            // members with equal estimates are one point of the front: score one of each, spread along the front
            List<Integer> distinct = new ArrayList<>();
            for (int k : order) {
                if (distinct.stream()
                        .noneMatch(d -> Arrays.equals(
                                best.get(d).objectives(), best.get(k).objectives()))) {
                    distinct.add(k);
                }
            }
            List<Integer> heldOutMembers = spread(distinct, o.paretoHeldOut());
            Map<Integer, Path> folders = new LinkedHashMap<>();
            for (int k : order) {
                folders.put(
                        k,
                        best.size() == 1
                                ? runDir.resolve("best")
                                : runDir.resolve("pareto").resolve(Integer.toString(k)));
            }
            for (int k : order) {
                DemoTasks.BestEntry b = best.get(k);
                Map<String, Double> est = new LinkedHashMap<>();
                for (int j = 0; j < names.size(); j++) {
                    est.put(names.get(j), b.objectives()[j]);
                }
                Map<Path, Scorer.Score> held =
                        heldOutMembers.contains(k) ? scorer.folder("pareto " + k, folders.get(k), tests) : Map.of();
                pareto.add(row("pareto " + k, folders.get(k), est, held, b.id()));
            }
            phases.put("heldOutEval", seconds(te));
            if (o.estimatorCheck() > 0) {
                long tc = System.nanoTime();
                List<Integer> checked = spread(distinct, o.estimatorCheck());
                out.println("== estimator check: " + checked.size() + " distinct points of the front on every item of "
                        + String.join(
                                ", ",
                                searchTasks.stream().map(DemoTasks::taskName).toList()));
                List<List<DemoResult.Check>> perObjective = new ArrayList<>();
                names.forEach(x -> perObjective.add(new ArrayList<>()));
                for (int k : checked) {
                    Map<Path, Scorer.Score> full = scorer.folder("pareto " + k, folders.get(k), searchTasks);
                    for (int j = 0; j < names.size(); j++) {
                        Scorer.Score f = full.get(searchTasks.get(j));
                        perObjective
                                .get(j)
                                .add(new DemoResult.Check(
                                        best.get(k).id(), best.get(k).objectives()[j], f.accuracy(), f.items()));
                    }
                }
                for (int j = 0; j < names.size(); j++) {
                    checks.add(check(names.get(j), perObjective.get(j)));
                }
                phases.put("estimatorCheck", seconds(tc));
            }
        }
        rows.addAll(pareto);
        Path plot = runDir.resolve(Demo.PLOT);
        List<ParetoSvg.Point> front = pareto.stream()
                .map(r -> new ParetoSvg.Point(
                        r.searchScores().get(names.get(0)),
                        r.searchScores().get(names.get(1)),
                        r.model().substring("pareto ".length())))
                .toList();
        List<ParetoSvg.Point> refs = rows.subList(0, 3).stream()
                .map(r -> new ParetoSvg.Point(
                        r.searchScores().get(names.get(0)), r.searchScores().get(names.get(1)), r.model()))
                .toList();
        int n = spec.objectives().get(0).n();
        AtomicFiles.writeString(
                plot,
                ParetoSvg.render(
                        String.format(
                                Locale.ROOT,
                                "Pareto front: %s vs %s (zoo seed %d, %d candidates)",
                                names.get(0),
                                names.get(1),
                                o.seed(),
                                cost.candidates()),
                        names.get(0) + " on " + taskName(searchTasks.get(0)),
                        names.get(1) + " on " + taskName(searchTasks.get(1)),
                        front,
                        refs,
                        "Pareto set (fitness estimated from " + n + " items; label = pareto/K)",
                        "parents (accuracy on every item)"));
        phases.put("total", seconds(t0));
        return new DemoResult(
                Demo.MODE_MULTI,
                runDir,
                zoo.dir(),
                runFile,
                spec.name(),
                runState,
                reason,
                List.copyOf(rows),
                cost,
                null,
                null,
                List.copyOf(checks),
                List.copyOf(pareto),
                plot,
                Map.copyOf(phases),
                List.of());
    }

    private static DemoResult.Row row(
            String model, Path path, Map<String, Double> searchScores, Map<Path, Scorer.Score> held, long id) {
        Map<String, Double> acc = new LinkedHashMap<>();
        long items = 0;
        double secs = 0;
        for (Map.Entry<Path, Scorer.Score> e : held.entrySet()) {
            acc.put(taskName(e.getKey()), e.getValue().accuracy());
            items += e.getValue().items();
            secs += e.getValue().seconds();
        }
        return new DemoResult.Row(model, path, Map.copyOf(searchScores), acc, items, secs, id);
    }

    /** At most {@code k} entries of {@code ordered}, spread evenly from its first to its last. */
    static List<Integer> spread(List<Integer> ordered, int k) {
        if (k >= ordered.size()) {
            return List.copyOf(ordered);
        }
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int at = k == 1 ? 0 : (int) Math.round(i * (ordered.size() - 1) / (double) (k - 1));
            if (!l.contains(ordered.get(at))) {
                l.add(ordered.get(at));
            }
        }
        return l;
    }
}
