package dev.chimera.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.engine.run.Racing;
import dev.chimera.engine.run.RunFolder;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.estimate.PairedBootstrap;
import dev.chimera.eval.Item;
import dev.chimera.eval.TaskLoader;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeConfigYaml;
import dev.chimera.tensor.AtomicFiles;
import dev.chimera.zoo.Zoo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The single-objective demo after a multi-fidelity run: the run's answer is already scored on the whole search split
 * and compared there with the start point (the uniform merge) and the parents ({@code selection.json}); here the
 * held-out comparison is added (every held-out item, paired bootstrap intervals), and the fidelity estimator is
 * checked on the candidates the run scored on the whole split (their first-rung estimate against the truth), which
 * costs no extra evaluation.
 */
final class RacedEvaluation {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The demo's run file names the zoo's models so; the table names them so. */
    private static final Map<String, String> LABELS =
            Map.of("base", "base", "expert1", "expert 1", "expert2", "expert 2");

    private final RunSpec spec;
    private final Zoo zoo;
    private final Path runDir;
    private final RunState state;
    private final Map<String, Map<String, Map<String, Integer>>> parents;
    private final PrintStream out;
    private final Map<String, Double> phases;

    RacedEvaluation(
            RunSpec spec,
            Zoo zoo,
            Path runDir,
            RunState state,
            Map<String, Map<String, Map<String, Integer>>> parents,
            PrintStream out,
            Map<String, Double> phases) {
        this.spec = spec;
        this.zoo = zoo;
        this.runDir = runDir;
        this.state = state;
        this.parents = parents;
        this.out = out;
        this.phases = phases;
    }

    DemoResult evaluate(Path runFile, DemoResult.SearchCost cost, String runState, String reason) {
        String objective = spec.objectives().get(0).name();
        Path search = Path.of(spec.objectives().get(0).task());
        Path test = DemoTasks.heldOut(search);
        String testName = DemoTasks.taskName(test);
        String searchName = DemoTasks.taskName(search);
        JsonNode selection = read(runDir.resolve(RunFolder.SELECTION));
        long evolvedId = selection.get("ids").get(0).asLong();
        double evolvedSearch = selection.get("values").get(0).get(0).asDouble();
        Double start = state.fidelity().rung(-1) >= 0
                ? Racing.mean(state.fidelity().of(-1).get(objective))
                : null;
        List<DemoResult.Comparison> comparisons = new ArrayList<>();
        for (JsonNode c : selection.get("comparisons")) {
            JsonNode iv = c.get("interval");
            String against = LABELS.getOrDefault(
                    c.get("against").asText(), c.get("against").asText());
            comparisons.add(new DemoResult.Comparison(
                    searchName,
                    against.equals("start point") ? "start point (uniform TA 1.0/1.0)" : against,
                    c.get("winner").asDouble(),
                    c.get("other").asDouble(),
                    100 * iv.get("difference").asDouble(),
                    100 * iv.get("low").asDouble(),
                    100 * iv.get("high").asDouble()));
        }
        out.println("== held-out evaluation on " + testName + " (every item, greedy generation as chimera eval)");
        long te = System.nanoTime();
        List<String> testIds =
                TaskLoader.items(TaskLoader.load(test)).stream().map(Item::id).toList();
        List<DemoResult.Row> rows = new ArrayList<>();
        Map<String, Scorer.Score> held = new LinkedHashMap<>();
        Map<String, Path> parentDirs = DemoTasks.parents(zoo);
        try (Scorer scorer = new Scorer(zoo.base(), new ArrayList<>(parentDirs.values()), spec.seed(), out::println)) {
            for (Map.Entry<String, Path> p : parentDirs.entrySet()) {
                Scorer.Score s = scorer.folder(p.getKey(), p.getValue(), test);
                held.put(p.getKey(), s);
                rows.add(new DemoResult.Row(
                        p.getKey(),
                        p.getValue(),
                        searchScore(objective, p.getKey()),
                        Map.of(testName, s.accuracy()),
                        s.items(),
                        s.seconds(),
                        -1));
            }
            for (double w : new double[] {1.0, 0.5}) {
                String label = String.format(Locale.ROOT, "uniform TA %.1f/%.1f", w, w);
                Path yaml = runDir.resolve(String.format(Locale.ROOT, "uniform-ta-%.1f.yaml", w));
                String text = DemoTasks.uniformYaml(zoo, w);
                AtomicFiles.writeString(yaml, text);
                MergeConfig c = MergeConfigYaml.parse(text, yaml.toString());
                Scorer.Score s = scorer.merge(label, c, List.of(test)).get(test);
                held.put(label, s);
                // the uniform 1.0/1.0 merge is the run's start point, scored on the whole search split by the run
                Map<String, Double> searchScores = w == 1.0 && start != null ? Map.of(objective, start) : Map.of();
                rows.add(new DemoResult.Row(
                        label, null, searchScores, Map.of(testName, s.accuracy()), s.items(), s.seconds(), -1));
            }
            Path best = runDir.resolve("best");
            if (!Files.isRegularFile(best.resolve("config.json"))) {
                throw new DemoException("the finished run has no evolved model folder " + best);
            }
            Scorer.Score s = scorer.folder("evolved", best, test);
            held.put("evolved", s);
            double searchWall = phases.getOrDefault("extract", 0.0) + phases.get("search");
            rows.add(new DemoResult.Row(
                    "evolved",
                    best,
                    Map.of(objective, evolvedSearch),
                    Map.of(testName, s.accuracy()),
                    cost.totalItems(),
                    searchWall,
                    evolvedId));
        }
        phases.put("heldOutEval", DemoTasks.seconds(te));

        int[] evolved = held.get("evolved").vector(testIds);
        String bestParent = bestOf(held, List.of("base", "expert 1", "expert 2"));
        String bestUniform = bestOf(held, List.of("uniform TA 1.0/1.0", "uniform TA 0.5/0.5"));
        for (String against : List.of(bestUniform, bestParent)) {
            PairedBootstrap.Interval iv =
                    PairedBootstrap.of(evolved, held.get(against).vector(testIds), 2000, 0.95, spec.seed());
            comparisons.add(new DemoResult.Comparison(
                    testName,
                    against,
                    held.get("evolved").accuracy(),
                    held.get(against).accuracy(),
                    100 * iv.difference(),
                    100 * iv.low(),
                    100 * iv.high()));
        }
        double e = held.get("evolved").accuracy();
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
                100 * (e - held.get(bestParent).accuracy()),
                100 * (e - held.get(bestUniform).accuracy()),
                List.of(estimatorCheck(objective, selection)),
                List.of(),
                null,
                Map.copyOf(phases),
                List.copyOf(comparisons));
    }

    /** A parent's accuracy on the whole search split, from the answers the run compared with. */
    private Map<String, Double> searchScore(String objective, String label) {
        for (Map.Entry<String, Map<String, Integer>> p :
                parents.getOrDefault(objective, Map.of()).entrySet()) {
            if (LABELS.getOrDefault(p.getKey(), p.getKey()).equals(label)) {
                return Map.of(objective, Racing.mean(p.getValue()));
            }
        }
        return Map.of();
    }

    /**
     * The fidelity estimator checked by the run on the candidates it scored on the whole split (their first-rung
     * estimate against the truth, {@code selection.json}), which costs no extra evaluation.
     */
    private static DemoResult.EstimatorCheck estimatorCheck(String objective, JsonNode selection) {
        List<DemoResult.Check> checks = new ArrayList<>();
        for (JsonNode f : selection.path("estimates")) {
            checks.add(new DemoResult.Check(
                    f.get("id").asLong(),
                    f.get("estimate").asDouble(),
                    f.get("exact").asDouble(),
                    f.get("items").asInt()));
        }
        double mae = checks.stream()
                .mapToDouble(c -> Math.abs(c.estimated() - c.full()))
                .average()
                .orElse(0);
        return new DemoResult.EstimatorCheck(objective, List.copyOf(checks), mae);
    }

    private static String bestOf(Map<String, Scorer.Score> held, List<String> names) {
        String best = names.get(0);
        for (String n : names) {
            if (held.get(n).accuracy() > held.get(best).accuracy()) {
                best = n;
            }
        }
        return best;
    }

    private static JsonNode read(Path f) {
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new DemoException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }
}
