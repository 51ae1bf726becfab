package dev.chimera.engine.run;

import dev.chimera.estimate.Extract;
import dev.chimera.estimate.ExtractResult;
import dev.chimera.estimate.ModelEvaluator;
import dev.chimera.estimate.ResponseCache;
import dev.chimera.eval.Item;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The items every candidate is evaluated on, per task objective, chosen once per run by the coordinator:
 * <ul>
 *   <li>{@code selector = random, estimator = mean}: all items when {@code n} is 0 or at least the task's size, else
 *       a seeded random sample of {@code n}; the objective is the mean over them. No parent evaluation.</li>
 *   <li>anything else: the extract stage ({@link Extract}): the genome's parents answer every item as work items of
 *       the run on any worker (cached on disk by model and task fingerprint, journaled as {@code model} events), then
 *       {@link #finishExtract} fits an IRT model on their answers, the selector picks {@code n} items, and the result
 *       ({@code extract-<objective>.json} in the run folder) is what workers' estimators use. No candidate is asked
 *       before it.</li>
 * </ul>
 */
public final class ItemChoice {
    private static final Logger LOG = LoggerFactory.getLogger(ItemChoice.class);

    /**
     * Per objective: the item ids (every item for an objective whose extract stage is pending), the extract result's
     * JSON for objectives that use an estimator, and the objectives whose extract stage waits for the parents' answers.
     */
    public record Choice(
            Map<String, List<String>> items, Map<String, String> estimators, List<String> pendingExtract) {}

    /**
     * Per objective with items, the item counts of the fidelity rungs over {@code items} (ascending, the last is all
     * of them): one rung of all items without {@code run.fidelity}.
     */
    public static Map<String, List<Integer>> rungs(RunSpec spec, Map<String, List<String>> items) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : items.entrySet()) {
            int total = e.getValue().size();
            out.put(
                    e.getKey(),
                    spec.fidelity() == null ? List.of(total) : spec.fidelity().counts(total));
        }
        return out;
    }

    private ItemChoice() {}

    public static Choice choose(RunSpec spec, Path runDir) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Map<String, String> estimators = new LinkedHashMap<>();
        List<String> pending = new ArrayList<>();
        for (int k = 0; k < spec.objectives().size(); k++) {
            RunSpec.ObjectiveSpec o = spec.objectives().get(k);
            long orderSeed = spec.seed() * 1_000_003L + k + 1;
            if (o.isSynthetic()) {
                if (o.items() > 0) {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < o.items(); i++) {
                        ids.add("i" + i);
                    }
                    out.put(o.name(), spec.fidelity() == null ? List.copyOf(ids) : shuffled(ids, orderSeed));
                }
                continue;
            }
            if (o.isExternal() || o.isPlugin()) {
                List<String> ids = o.isExternal()
                        ? externalIds(o, k)
                        : ObjectiveTypes.get(o.plugin().type()).items(o.plugin().settings());
                if (spec.fidelity() != null && ids.isEmpty()) {
                    throw new RunException("run.objectives[" + k + "]: multi-fidelity needs items; objective "
                            + o.name() + " has none");
                }
                out.put(
                        o.name(),
                        spec.fidelity() != null
                                ? shuffled(ids, orderSeed)
                                : o.n() <= 0 || o.n() >= ids.size()
                                        ? ids
                                        : List.copyOf(
                                                shuffle(ids, o.n(), orderSeed).subList(0, o.n())));
                continue;
            }
            if (!Files.isRegularFile(Path.of(o.task()))) {
                throw new RunException("run.objectives[" + k + "].task: task file " + o.task() + " does not exist");
            }
            Task task = TaskLoader.load(Path.of(o.task()));
            List<Item> items = TaskLoader.items(task);
            if (spec.fidelity() != null) {
                // every item, in one seeded order: a rung is a prefix, so each candidate's items are nested and the
                // same for all candidates (paired comparisons)
                // the parents' answers to them are work items of the run (RunEvent.ModelAnswered), not computed here
                out.put(o.name(), shuffled(items.stream().map(Item::id).toList(), orderSeed));
                continue;
            }
            if (o.selector().equals("random") && o.estimator().equals("mean")) {
                out.put(o.name(), sample(items, o.n(), orderSeed));
                continue;
            }
            if (o.n() <= 0) {
                throw new RunException(
                        "run.objectives[" + k + "].n: estimator '" + o.estimator() + "' needs n > 0 items");
            }
            Path file = extractFile(runDir, o);
            if (Files.exists(file)) {
                ExtractResult r = ExtractResult.read(file);
                out.put(o.name(), List.copyOf(r.subset().itemIds()));
                estimators.put(o.name(), r.toJson());
            } else {
                // the extract stage waits for the parents' answers, work items of the run: until then every item
                out.put(o.name(), items.stream().map(Item::id).toList());
                pending.add(o.name());
            }
        }
        return new Choice(out, estimators, List.copyOf(pending));
    }

    /** An external objective's item ids: its items file's lines, or "0".."N-1", or none (a score-only command). */
    private static List<String> externalIds(RunSpec.ObjectiveSpec o, int k) {
        RunSpec.External x = o.external();
        List<String> ids = new ArrayList<>();
        if (x.itemsFile() != null) {
            try {
                for (String line : Files.readAllLines(Path.of(x.itemsFile()))) {
                    if (!line.isBlank()) {
                        ids.add(line.strip());
                    }
                }
            } catch (IOException e) {
                throw new RunException(
                        "run.objectives[" + k + "].items-file: cannot read " + x.itemsFile() + ": " + e.getMessage(),
                        e);
            }
            if (ids.size() != new LinkedHashSet<>(ids).size()) {
                throw new RunException("run.objectives[" + k + "].items-file: " + x.itemsFile() + " repeats an id");
            }
        } else {
            for (int i = 0; i < x.itemCount(); i++) {
                ids.add(Integer.toString(i));
            }
        }
        return List.copyOf(ids);
    }

    /** The extract stage's result of objective {@code o} in a run folder. */
    public static Path extractFile(Path runDir, RunSpec.ObjectiveSpec o) {
        return runDir.resolve("extract-" + o.name() + ".json");
    }

    /**
     * The extract stage of the objectives in {@code pending} once the models have answered every item
     * ({@code answers}: per objective, model alias to item to 0/1, from the run's journal): IRT fit, calibration and
     * subset ({@code extract-OBJ.json}), then the run's final items ({@code items.json}) and setup.
     */
    public static RunSetup finishExtract(
            RunSpec spec,
            Path runDir,
            RunSetup provisional,
            List<String> pending,
            Map<String, Map<String, Map<String, Integer>>> answers) {
        Map<String, List<String>> items = new LinkedHashMap<>(provisional.items());
        Map<String, String> estimators = new LinkedHashMap<>(provisional.estimators());
        for (RunSpec.ObjectiveSpec o : spec.objectives()) {
            if (!pending.contains(o.name())) {
                continue;
            }
            Task task = TaskLoader.load(Path.of(o.task()));
            Map<String, Map<String, Integer>> byAlias = answers.getOrDefault(o.name(), Map.of());
            // the workers' answers, by model folder: nothing is evaluated here
            ModelEvaluator journaled = folder -> {
                for (Map.Entry<String, String> m : spec.models().entrySet()) {
                    if (Path.of(m.getValue())
                            .toAbsolutePath()
                            .normalize()
                            .equals(folder.toAbsolutePath().normalize())) {
                        Map<String, Integer> y = byAlias.get(m.getKey());
                        if (y != null) {
                            Map<String, Boolean> out = new LinkedHashMap<>();
                            y.forEach((id, v) -> out.put(id, v == 1));
                            return out;
                        }
                    }
                }
                throw new RunException("the journal has no answers of model " + folder + " to " + o.name());
            };
            ExtractResult r = extract(spec, runDir, o, task, TaskLoader.items(task), journaled);
            items.put(o.name(), List.copyOf(r.subset().itemIds()));
            estimators.put(o.name(), r.toJson());
        }
        RunFolder.writeItems(runDir, items);
        return new RunSetup(spec.name(), provisional.spec(), items, estimators, rungs(spec, items));
    }

    private static ExtractResult extract(
            RunSpec spec, Path runDir, RunSpec.ObjectiveSpec o, Task task, List<Item> items, ModelEvaluator evaluator) {
        Set<String> parents = new LinkedHashSet<>();
        if (spec.genome().base() != null) {
            parents.add(spec.models().get(spec.genome().base()));
        }
        for (String m : spec.genome().models()) {
            parents.add(spec.models().get(m));
        }
        List<Path> models = parents.stream().map(Path::of).toList();
        List<Item> fewshot = TaskLoader.fewshotItems(task);
        ResponseCache cache = new ResponseCache(spec.responseCache(), LOG::warn);
        Extract.Settings settings = Extract.Settings.of(o.selector(), o.n(), spec.seed(), o.estimator());
        Path file = extractFile(runDir, o);
        LOG.info(
                "extract stage for objective {}: {} parent(s) on {} items of {}",
                o.name(),
                models.size(),
                items.size(),
                task.name());
        ExtractResult r = Extract.loadOrRun(
                file,
                false,
                models,
                Extract.TaskInput.of(task, items, fewshot),
                evaluator,
                cache,
                settings,
                null,
                LOG::info);
        LOG.info(
                "extract stage for objective {}: {} items chosen ({}), cost {}",
                o.name(),
                r.subset().itemIds().size(),
                o.selector(),
                r.cost());
        return r;
    }

    /** All ids, or a seeded random sample of n (partial Fisher-Yates). */
    static List<String> sample(List<Item> items, int n, long seed) {
        List<String> ids = items.stream().map(Item::id).toList();
        if (n <= 0 || n >= ids.size()) {
            return ids;
        }
        return List.copyOf(shuffle(ids, n, seed).subList(0, n));
    }

    /** All ids in a seeded random order. */
    static List<String> shuffled(List<String> ids, long seed) {
        return List.copyOf(shuffle(ids, ids.size(), seed));
    }

    /** The first {@code n} steps of a seeded Fisher-Yates shuffle of a copy of {@code ids}. */
    private static List<String> shuffle(List<String> ids, int n, long seed) {
        List<String> out = new ArrayList<>(ids);
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            int j = i + r.nextInt(out.size() - i);
            String t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }
}
