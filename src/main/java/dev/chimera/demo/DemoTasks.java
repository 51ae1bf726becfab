package dev.chimera.demo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.estimate.ExtractResult;
import dev.chimera.zoo.Zoo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the demo's stages share: its task files and their held-out splits, the zoo's parents and uniform merges, best.json. */
final class DemoTasks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoTasks() {}

    /** The held-out split of a search task file: {@code X_search.yml} -> {@code X_test.yml} beside it. */
    static Path heldOut(Path searchTask) {
        String name = searchTask.getFileName().toString();
        if (!name.contains("_search.")) {
            throw new DemoException("task " + searchTask + " is not a search split (X_search.yml), so the demo cannot"
                    + " find its held-out X_test.yml");
        }
        Path test = searchTask.resolveSibling(name.replace("_search.", "_test."));
        if (!Files.isRegularFile(test)) {
            throw new DemoException("the held-out split " + test + " of task " + searchTask + " does not exist");
        }
        return test;
    }

    static String taskName(Path taskFile) {
        String n = taskFile.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    /** Each parent's accuracy on every item of each objective's task, from the extract stage (by folder). */
    static Map<String, Double> parentSearchScores(RunSpec spec, List<ExtractResult> extracts, Path model) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k = 0; k < spec.objectives().size(); k++) {
            ExtractResult x = extracts.get(k);
            if (x == null) {
                continue;
            }
            for (ExtractResult.ModelInfo mi : x.models()) {
                if (Path.of(mi.path())
                        .toAbsolutePath()
                        .normalize()
                        .equals(model.toAbsolutePath().normalize())) {
                    m.put(spec.objectives().get(k).name(), mi.accuracy());
                }
            }
        }
        return m;
    }

    static Map<String, Path> parents(Zoo zoo) {
        Map<String, Path> p = new LinkedHashMap<>();
        p.put("base", zoo.base());
        p.put("expert 1", zoo.expert1());
        p.put("expert 2", zoo.expert2());
        return p;
    }

    /** Uniform task arithmetic over the whole model: base + w (expert 1 - base) + w (expert 2 - base). */
    static String uniformYaml(Zoo zoo, double w) {
        String weight = String.format(Locale.ROOT, "%.1f", w);
        return "# uniform task arithmetic: base + " + weight + " (expert 1 - base) + " + weight
                + " (expert 2 - base), every tensor\n"
                + "merge_method: task_arithmetic\n"
                + "base_model: " + DemoRunFile.quoted(zoo.base().toString()) + "\n"
                + "models:\n"
                + "  - model: " + DemoRunFile.quoted(zoo.expert1().toString()) + "\n"
                + "    parameters: {weight: " + weight + "}\n"
                + "  - model: " + DemoRunFile.quoted(zoo.expert2().toString()) + "\n"
                + "    parameters: {weight: " + weight + "}\n"
                + "parameters: {normalize: false, lambda: 1.0}\n"
                + "dtype: float32\n";
    }

    /** The mean absolute error of a list of checks. */
    static DemoResult.EstimatorCheck check(String objective, List<DemoResult.Check> l) {
        double err = 0;
        for (DemoResult.Check c : l) {
            err += Math.abs(c.estimated() - c.full());
        }
        return new DemoResult.EstimatorCheck(objective, List.copyOf(l), l.isEmpty() ? 0 : err / l.size());
    }

    /** One entry of the run's best.json. */
    record BestEntry(long id, double[] objectives, double[] genes) {}

    static List<BestEntry> bestEntries(Path runDir) {
        Path f = runDir.resolve("best.json");
        try {
            List<Map<String, Object>> l = JSON.readValue(f.toFile(), new TypeReference<List<Map<String, Object>>>() {});
            List<BestEntry> out = new ArrayList<>();
            for (Map<String, Object> m : l) {
                out.add(new BestEntry(
                        ((Number) m.get("id")).longValue(), doubles(m.get("objectives")), doubles(m.get("genes"))));
            }
            if (out.isEmpty()) {
                throw new DemoException(f + " lists no candidate");
            }
            return out;
        } catch (IOException | ClassCastException | NullPointerException e) {
            throw new DemoException("cannot read the run's best candidates from " + f + ": " + e.getMessage(), e);
        }
    }

    private static double[] doubles(Object list) {
        List<?> l = (List<?>) list;
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = ((Number) l.get(i)).doubleValue();
        }
        return d;
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
