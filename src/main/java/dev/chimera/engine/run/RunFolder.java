package dev.chimera.engine.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeRunner;
import dev.chimera.search.Evaluation;
import dev.chimera.tensor.AtomicFiles;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A run's folder on the coordinator's disk:
 * <pre>
 *   run.conf          the run config as rendered (absolute paths); a resume uses this copy
 *   items.json        per task objective, the ids of the items every candidate is evaluated on
 *   extract-OBJ.json  objectives with an estimator: the extract stage's result (parents' responses, IRT, subset)
 *   journal.jsonl     every event, append-only (see {@link Journal})
 *   generations.csv   one line per completed generation
 *   optimizer.json    the algorithm's snapshot after the last generation
 *   results.csv       every evaluated candidate (written at the end)
 *   best.json         the best candidate(s) with their recipes
 *   best.yaml, best/  single objective: the best merge as mergekit YAML and as a Hugging Face folder
 *   pareto/k.yaml, pareto/k/   several objectives: the Pareto set
 * </pre>
 * Every whole-file write goes through a temporary file and a rename.
 */
public final class RunFolder {
    public static final String CONFIG = "run.conf";
    public static final String ITEMS = "items.json";
    public static final String PARENTS = "parents.json";
    public static final String SELECTION = "selection.json";

    private RunFolder() {}

    /** A run ready to continue: spec, folder, journal state, the replayed search and what workers need. */
    /**
     * {@code pendingExtract}: objectives whose extract stage waits for the parents' answers (work items of the run);
     * until it is done {@code setup} holds every item of theirs.
     */
    public record Opened(
            RunSpec spec,
            Path dir,
            RunState state,
            RunSearch search,
            RunSetup setup,
            Map<String, Map<String, Map<String, Integer>>> parents,
            List<String> pendingExtract) {
        /** {@code parents.json}: per objective, each model's answers to every item. */
        public void writeParents(Map<String, Map<String, Map<String, Integer>>> parents) {
            writeJson(dir.resolve(PARENTS), parents);
        }

        public void writeGeneration(RunEvent.GenerationDone g, ObjectNode snapshot) {
            RunFolder.writeGeneration(dir, g, snapshot);
        }

        /** {@code pick}: a multi-fidelity run's answer and comparisons (null otherwise). */
        public void writeOutputs(
                RunState state, List<Evaluation> best, FinalPick.Pick pick, ObjectNode snapshot, boolean models) {
            RunFolder.writeOutputs(this, state, best, pick, snapshot, models);
        }
    }

    /** Starts a new run folder from a rendered run config. */
    public static Opened create(String specText) {
        RunSpec spec = RunSpec.parse(specText);
        Path dir = spec.output();
        if (Files.exists(dir.resolve(Journal.FILE))) {
            throw new RunException(
                    "run folder " + dir + " already holds a run; continue it with: chimera resume " + dir);
        }
        SearchSpace space = SearchSpace.of(spec);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new RunException("cannot create run folder " + dir + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeString(dir.resolve(CONFIG), spec.text());
        ItemChoice.Choice choice = ItemChoice.choose(spec, dir);
        writeItems(dir, choice.items());
        RunState state = RunState.empty();
        return new Opened(
                spec,
                dir,
                state,
                RunSearch.start(spec, space, state),
                new RunSetup(
                        spec.name(),
                        spec.text(),
                        choice.items(),
                        choice.estimators(),
                        ItemChoice.rungs(spec, choice.items())),
                Map.of(), // the parents answer as work items of the run (parents.json is written then)
                choice.pendingExtract());
    }

    static void writeItems(Path dir, Map<String, List<String>> items) {
        writeJson(dir.resolve(ITEMS), items);
    }

    private static void writeJson(Path file, Object value) {
        try {
            AtomicFiles.write(
                    file, Journal.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
        } catch (IOException e) {
            throw new RunException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Per objective, the item ids of {@code items.json} (in the run's order), or empty. */
    public static Map<String, List<String>> items(Path dir) {
        return readJson(dir.resolve(ITEMS), new TypeReference<>() {});
    }

    /** Multi-fidelity: every model's answers to every item of each objective ({@code parents.json}), or empty. */
    public static Map<String, Map<String, Map<String, Integer>>> parents(Path dir) {
        return readJson(dir.resolve(PARENTS), new TypeReference<>() {});
    }

    private static <T extends Map<?, ?>> T readJson(Path file, TypeReference<T> type) {
        if (!Files.exists(file)) {
            @SuppressWarnings("unchecked")
            T empty = (T) Map.of();
            return empty;
        }
        try {
            return Journal.JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new RunException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reopens a run folder after a crash or a stop: its own config, items and journal. */
    public static Opened resume(Path dir) {
        Path conf = dir.resolve(CONFIG);
        if (!Files.isRegularFile(conf)) {
            throw new RunException(dir + " is not a run folder (no " + CONFIG + ")");
        }
        String text;
        try {
            text = Files.readString(conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RunException("cannot read run folder " + dir + ": " + e.getMessage(), e);
        }
        Map<String, List<String>> items = items(dir);
        Map<String, Map<String, Map<String, Integer>>> parents = parents(dir);
        RunSpec spec = RunSpec.parse(text);
        RunState state = RunState.replay(Journal.read(dir));
        if (state.status() == RunState.Status.FINISHED) {
            throw new RunException("run " + spec.name() + " in " + dir + " already finished (" + state.finishReason()
                    + "); nothing to resume");
        }
        SearchSpace space = SearchSpace.of(spec);
        // the choice as at the start: what the extract stage already wrote is read back, the rest still pends
        ItemChoice.Choice choice = ItemChoice.choose(spec, dir);
        Map<String, List<String>> chosen = new LinkedHashMap<>(items);
        chosen.putAll(choice.items().entrySet().stream()
                .filter(e -> choice.pendingExtract().contains(e.getKey()) || !items.containsKey(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        return new Opened(
                spec,
                dir,
                state,
                RunSearch.start(spec, space, state),
                new RunSetup(spec.name(), text, chosen, choice.estimators(), ItemChoice.rungs(spec, chosen)),
                parents,
                choice.pendingExtract());
    }

    static void writeGeneration(Path dir, RunEvent.GenerationDone g, ObjectNode snapshot) {
        Path csv = dir.resolve("generations.csv");
        StringBuilder line = new StringBuilder();
        try {
            if (!Files.exists(csv)) {
                line.append("generation,evaluations,time,best\n");
            }
            line.append(g.generation())
                    .append(',')
                    .append(g.evaluations())
                    .append(',')
                    .append(g.time())
                    .append(',')
                    .append(join(g.best(), ";"))
                    .append('\n');
            Files.writeString(csv, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            AtomicFiles.write(dir.resolve("optimizer.json"), Journal.JSON.writeValueAsBytes(snapshot));
        } catch (IOException e) {
            throw new RunException("cannot write the generation summary in " + dir + ": " + e.getMessage(), e);
        }
    }

    static void writeOutputs(
            Opened run,
            RunState state,
            List<Evaluation> best,
            FinalPick.Pick pick,
            ObjectNode snapshot,
            boolean models) {
        Path dir = run.dir();
        SearchSpace space = run.search().space();
        List<String> names = run.spec().objectives().stream()
                .map(RunSpec.ObjectiveSpec::name)
                .toList();
        boolean fidelity = run.spec().fidelity() != null;
        StringBuilder csv = new StringBuilder("id,worker,attempt,merge_ms,eval_ms");
        for (String n : names) {
            csv.append(',').append(n);
        }
        if (fidelity) {
            // the first rung's value above; then the rung the race reached and the value told to the optimizer
            csv.append(",rung");
            for (String n : names) {
                csv.append(",told_").append(n);
            }
        }
        int dim = space.bounds().dimension();
        List<String> geneNames = space.geneNames(run.spec());
        for (int i = 0; i < dim; i++) {
            csv.append(',').append('"').append(geneNames.get(i)).append('"');
        }
        csv.append('\n');
        for (RunEvent.Evaluated e : state.evaluated().values()) {
            csv.append(e.id())
                    .append(',')
                    .append(e.worker())
                    .append(',')
                    .append(e.attempt())
                    .append(',')
                    .append(e.mergeMillis())
                    .append(',')
                    .append(e.evalMillis())
                    .append(',')
                    .append(join(e.objectives(), ","));
            if (fidelity) {
                RunEvent.Scored sc = state.fidelity().scored().get(e.id());
                csv.append(',')
                        .append(state.fidelity().rung(e.id()))
                        .append(',')
                        .append(sc == null ? "" : join(sc.objectives(), ","));
            }
            csv.append(',').append(join(e.genes(), ",")).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("results.csv"), csv.toString());
        try {
            AtomicFiles.write(dir.resolve("optimizer.json"), Journal.JSON.writeValueAsBytes(snapshot));
            List<Map<String, Object>> summary = new ArrayList<>();
            for (int k = 0; k < best.size(); k++) {
                Evaluation e = best.get(k);
                String yaml = space.genome() != null
                        ? space.genome().yaml(e.candidate().genes())
                        : null;
                Map<String, Double> named = new LinkedHashMap<>();
                for (int i = 0; i < dim; i++) {
                    named.put(geneNames.get(i), e.candidate().gene(i));
                }
                summary.add(Map.of(
                        "id",
                        e.candidate().id(),
                        "objectives",
                        e.objectives(),
                        "genes",
                        e.candidate().genes(),
                        "named",
                        named,
                        "recipe",
                        yaml == null ? "" : yaml));
                if (yaml != null) {
                    String stem = best.size() == 1 ? "best" : "pareto/" + k;
                    AtomicFiles.writeString(dir.resolve(stem + ".yaml"), yaml);
                    if (models) {
                        MergeConfig config = space.genome().decode(e.candidate().genes());
                        MergeRunner.run(
                                config,
                                Path.of("/"),
                                dir.resolve(stem),
                                new MergeRunner.Options(
                                        "cpu",
                                        run.spec().seed(),
                                        ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES,
                                        run.spec().mergeThreads(),
                                        true),
                                new MergeRunner.Listener() {});
                    }
                }
            }
            AtomicFiles.write(
                    dir.resolve("best.json"),
                    Journal.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(summary));
            if (pick != null) {
                AtomicFiles.write(
                        dir.resolve(SELECTION),
                        Journal.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(pick));
            }
        } catch (IOException e) {
            throw new RunException("cannot write the outputs of " + dir + ": " + e.getMessage(), e);
        }
    }

    static String join(double[] v, String sep) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                b.append(sep);
            }
            b.append(v[i]);
        }
        return b.toString();
    }

    /** The config a resume will use, for callers that need the spec before opening (e.g. devices). */
    public static RunSpec specOf(Path dir) {
        try {
            return RunSpec.parse(Files.readString(dir.resolve(CONFIG), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RunException(dir + " is not a run folder (cannot read " + CONFIG + "): " + e.getMessage(), e);
        }
    }
}
