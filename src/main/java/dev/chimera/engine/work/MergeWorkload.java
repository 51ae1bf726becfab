package dev.chimera.engine.work;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chimera.engine.run.ObjectiveType;
import dev.chimera.engine.run.ObjectiveTypes;
import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.SearchSpace;
import dev.chimera.estimate.Extract;
import dev.chimera.estimate.ExtractResult;
import dev.chimera.estimate.ResponseCache;
import dev.chimera.estimate.SubsetEstimator;
import dev.chimera.eval.ExternalEvaluator;
import dev.chimera.eval.Item;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import dev.chimera.eval.TaskResult;
import dev.chimera.eval.TaskRunner;
import dev.chimera.eval.TokenCodec;
import dev.chimera.eval.Tokenizer;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeRunner;
import dev.chimera.merge.MergedWeights;
import dev.chimera.merge.ModelFolders;
import dev.chimera.model.CausalLM;
import dev.chimera.model.ModelConfig;
import dev.chimera.tensor.ComputeDevice;
import dev.chimera.tensor.FileTrees;
import dev.chimera.tensor.HfConfig;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real workload: a genome decoded to a mergekit recipe, merged in device memory from source models opened
 * once, then run on each task objective's chosen items; an objective's value is the estimator's accuracy estimate
 * from those items (the run's extract stage fitted it), or their mean correctness. Nothing is written to disk per
 * candidate.
 */
public final class MergeWorkload implements Workload {
    private static final Logger LOG = LoggerFactory.getLogger(MergeWorkload.class);

    private static final Pattern LAYER = Pattern.compile("^model\\.layers\\.(\\d+)\\.");

    private final RunSpec spec;
    private final SearchSpace space;
    private final Device device;
    private final MergeRunner.Options options;
    private final ModelFolders models;
    private final ObjectNode baseConfig;
    private final Tokenizer tokenizer;
    private final TokenCodec codec;
    private final List<Objective> objectives = new ArrayList<>();

    /**
     * One objective: a task with its items by id and the estimator when the run's extract stage chose them (else the
     * mean), or an external evaluator (task null) with its scratch folder.
     */
    private record Objective(
            String name,
            Task task,
            Map<String, Item> items,
            List<Item> fewshot,
            SubsetEstimator estimator,
            ExternalEvaluator external,
            Path scratch,
            RunSpec.Plugin plugin) {}

    private final RunSetup setup;
    /** libtorch intra-op threads of this workload's merges and evaluations (see {@link TorchThreads}). */
    private final int torchThreads;

    /**
     * Opens the run's models and tasks for one device ({@code spec} is {@code setup.spec()} parsed).
     *
     * @throws WorkloadException when this node lacks a model folder or a task file, or the device does not exist
     */
    public MergeWorkload(RunSetup setup, RunSpec spec, String deviceName, int torchThreads) {
        this.torchThreads = torchThreads;
        this.spec = spec;
        this.setup = setup;
        for (Map.Entry<String, String> m : spec.models().entrySet()) {
            if (!Files.isRegularFile(Path.of(m.getValue()).resolve(HfConfig.FILE))) {
                throw new WorkloadException("model folder " + m.getValue() + " (run.models." + m.getKey()
                        + ") is missing on this node or has no config.json");
            }
        }
        try {
            this.device = ComputeDevice.available(deviceName);
        } catch (RuntimeException e) {
            throw new WorkloadException("device " + deviceName + ": " + e.getMessage(), e);
        }
        this.space = SearchSpace.of(spec);
        this.options = new MergeRunner.Options(
                deviceName, spec.seed(), ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES, spec.mergeThreads(), false);
        String baseRef = spec.genome().base() != null
                ? spec.genome().base()
                : spec.genome().models().get(0);
        Path baseDir = Path.of(spec.models().get(baseRef));
        ModelFolders opened = ModelFolders.open(new ArrayList<>(spec.models().values()), Path.of("/"));
        try {
            this.baseConfig = HfConfig.read(baseDir).json().deepCopy();
            this.tokenizer = Tokenizer.load(baseDir);
        } catch (RuntimeException e) {
            opened.close();
            throw new WorkloadException("base model " + baseDir + ": " + e.getMessage(), e);
        }
        this.models = opened;
        this.codec = TokenCodec.of(tokenizer);
        for (RunSpec.ObjectiveSpec o : spec.objectives()) {
            if (o.isSynthetic()) {
                throw new WorkloadException(
                        "objective " + o.name() + ": synthetic objectives cannot be mixed with merges");
            }
            List<String> ids = setup.items().get(o.name());
            if (ids == null) {
                throw new WorkloadException("run setup has no items for objective " + o.name());
            }
            if (o.isExternal()) {
                RunSpec.External x = o.external();
                objectives.add(new Objective(
                        o.name(),
                        null,
                        Map.of(),
                        List.of(),
                        null,
                        x.url() != null
                                ? ExternalEvaluator.http(x.url(), x.timeout())
                                : new ExternalEvaluator(x.command(), x.timeout()),
                        scratchDir(x.scratch()),
                        null));
                continue;
            }
            if (o.isPlugin()) {
                objectives.add(new Objective(o.name(), null, Map.of(), List.of(), null, null, null, o.plugin()));
                continue;
            }
            Task t = TaskLoader.load(Path.of(o.task()));
            Map<String, Item> byId = new HashMap<>();
            for (Item i : TaskLoader.items(t)) {
                byId.put(i.id(), i);
            }
            Map<String, Item> chosen = new HashMap<>();
            for (String id : ids) {
                Item i = byId.get(id);
                if (i == null) {
                    throw new WorkloadException("task " + o.task() + " on this node has no item '" + id
                            + "' (task files differ between nodes?)");
                }
                chosen.put(id, i);
            }
            String extract = setup.estimators().get(o.name());
            SubsetEstimator estimator =
                    extract == null ? null : ExtractResult.parse(extract).estimator();
            objectives.add(new Objective(
                    o.name(), t, Map.copyOf(chosen), TaskLoader.fewshotItems(t), estimator, null, null, null));
        }
    }

    /** Where candidates for external evaluators are written: the objective's scratch, else /dev/shm, else tmp. */
    private static Path scratchDir(String configured) {
        if (configured != null) {
            return Path.of(configured);
        }
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Scores a candidate with a registered objective type on these items and records the per-item results. */
    private double plugin(
            Objective o,
            MergeConfig recipe,
            MergedWeights merged,
            List<String> ids,
            Map<String, Map<String, Integer>> items) {
        Map<String, Integer> answers = new LinkedHashMap<>();
        double v = ObjectiveTypes.get(o.plugin().type())
                .score(o.plugin().settings(), new ObjectiveType.Candidate(recipe, merged, models), ids, answers);
        items.put(o.name(), answers);
        return v;
    }

    /** Scores a model folder with an external objective on these items and records the per-item results. */
    private static double external(
            Objective o, Path folder, List<String> ids, Map<String, Map<String, Integer>> items) {
        ExternalEvaluator.Result r = o.external().evaluate(folder, ids);
        items.put(o.name(), r.items() == null ? Map.of() : r.items());
        return r.value();
    }

    @Override
    public Built model(String alias) {
        if (!spec.models().containsKey(alias)) {
            throw new WorkloadException("run.models has no model '" + alias + "'");
        }
        return new ModelRef(alias);
    }

    /**
     * A model of the run on every item of each objective's task, through the response cache (the same answers, and
     * the same cache entries, as the extract stage and {@code chimera extract}).
     */
    private Outcome answers(String alias) {
        Path folder = Path.of(spec.models().get(alias));
        ResponseCache cache = new ResponseCache(spec.responseCache(), LOG::warn);
        double[] values = new double[objectives.size()];
        Map<String, Map<String, Integer>> items = new LinkedHashMap<>();
        for (int i = 0; i < objectives.size(); i++) {
            Objective o = objectives.get(i);
            if (o.external() != null) {
                values[i] = external(o, folder, setup.items().get(o.name()), items);
                continue;
            }
            if (o.plugin() != null) {
                // a parent as a candidate: its tensors through a passthrough merge of its folder
                MergeConfig itself = MergeConfig.itself(folder.toString());
                try (MergedWeights merged = MergedWeights.merge(itself, models, options, device)) {
                    values[i] = plugin(o, itself, merged, setup.items().get(o.name()), items);
                }
                continue;
            }
            Extract.Answers a = Extract.answers(folder, o.task(), options.device(), cache, LOG::info);
            Map<String, Integer> y = new LinkedHashMap<>();
            a.answers().forEach((id, ok) -> y.put(id, ok ? 1 : 0));
            items.put(o.name(), y);
            values[i] =
                    y.values().stream().mapToInt(Integer::intValue).average().orElse(0);
        }
        return new Outcome(values, items);
    }

    /** A model of the run as it is: nothing to build, {@link #evaluate} answers from its folder. */
    record ModelRef(String alias) implements Built {
        @Override
        public double[] genes() {
            return new double[0];
        }

        @Override
        public void close() {}
    }

    /** The merged tensors of one candidate, in one NDManager on the device. */
    static final class Merged implements Built {
        private final double[] genes;
        private final MergedWeights merged;

        Merged(double[] genes, MergedWeights merged) {
            this.genes = genes.clone();
            this.merged = merged;
        }

        Map<String, NDArray> weights() {
            return merged.weights();
        }

        @Override
        public double[] genes() {
            return genes.clone();
        }

        @Override
        public void close() {
            merged.close();
        }
    }

    @Override
    public Built build(double[] genes) {
        TorchThreads.use(torchThreads);
        MergeConfig config = space.genome().decode(genes);
        return new Merged(genes, MergedWeights.merge(config, models, options, device));
    }

    @Override
    public Outcome evaluate(Built candidate, int from, int rung) {
        TorchThreads.use(torchThreads);
        if (candidate instanceof ModelRef ref) {
            return answers(ref.alias());
        }
        Merged m = (Merged) candidate;
        double[] values = new double[objectives.size()];
        Map<String, Map<String, Integer>> items = new LinkedHashMap<>();
        Path written = null; // the candidate as a folder, for external objectives: written once, removed after
        // the merged model is built for task objectives only: external ones see a folder (any architecture)
        boolean tasks = objectives.stream().anyMatch(o -> o.task() != null);
        try (CausalLM lm = tasks ? CausalLM.fromWeights(configFor(m.weights()), m.weights()) : null) {
            for (int i = 0; i < objectives.size(); i++) {
                Objective o = objectives.get(i);
                if (o.plugin() != null) {
                    List<String> ids = setup.slice(o.name(), from, rung);
                    if (ids.isEmpty() && !setup.items().get(o.name()).isEmpty()) {
                        items.put(o.name(), Map.of()); // its whole split was reached at a lower rung
                        continue;
                    }
                    values[i] = plugin(o, space.genome().decode(m.genes), m.merged, ids, items);
                    continue;
                }
                if (o.external() != null) {
                    List<String> ids = setup.slice(o.name(), from, rung);
                    if (ids.isEmpty() && !setup.items().get(o.name()).isEmpty()) {
                        items.put(o.name(), Map.of()); // its whole split was reached at a lower rung
                        continue;
                    }
                    if (written == null) {
                        written = Files.createTempDirectory(o.scratch(), "chimera-candidate-");
                        m.merged.save(written, space.genome().decode(m.genes), models);
                    }
                    values[i] = external(o, written, ids, items);
                    continue;
                }
                List<Item> slice = setup.slice(o.name(), from, rung).stream()
                        .map(o.items()::get)
                        .toList();
                if (slice.isEmpty()) {
                    // this objective reached its whole split at a lower rung than another (a smaller task)
                    items.put(o.name(), Map.of());
                    continue;
                }
                TaskResult r = TaskRunner.score(lm, codec, o.task(), slice, o.fewshot(), () -> {});
                Map<String, Integer> y = new LinkedHashMap<>();
                Map<String, Boolean> answers = new LinkedHashMap<>();
                int correct = 0;
                for (var item : r.items()) {
                    y.put(item.id(), item.correct() ? 1 : 0);
                    answers.put(item.id(), item.correct());
                    correct += item.correct() ? 1 : 0;
                }
                values[i] = o.estimator() != null
                        ? o.estimator().estimate(answers)
                        : (double) correct / r.items().size();
                items.put(o.name(), y);
            }
        } catch (IOException e) {
            throw new WorkloadException("cannot write the candidate for an external evaluator: " + e.getMessage(), e);
        } finally {
            if (written != null) {
                try {
                    FileTrees.deleteRecursively(written);
                } catch (IOException e) {
                    LOG.warn("could not remove {}: {}", written, e.getMessage());
                }
            }
        }
        return new Outcome(values, items);
    }

    /** The base config, with the layer count of the merged weights (a layer-path merge changes the depth). */
    private ModelConfig configFor(Map<String, NDArray> weights) {
        int layers = 0;
        for (String name : weights.keySet()) {
            Matcher mt = LAYER.matcher(name);
            if (mt.find()) {
                layers = Math.max(layers, Integer.parseInt(mt.group(1)) + 1);
            }
        }
        ObjectNode c = baseConfig.deepCopy();
        c.put("num_hidden_layers", layers);
        return ModelConfig.fromJson(c);
    }

    @Override
    public void close() {
        tokenizer.close();
        models.close();
    }
}
