package dev.chimera.merge;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.chimera.merge.method.MergeException;
import dev.chimera.tensor.HostTensors;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import dev.chimera.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A merge held in device memory: every output tensor as a float32 array of one manager that owns them, so closing
 * this frees them all. The one in-memory merge of the engine's workers, the demo's scorer and the zoo's experiments;
 * nothing is written to disk.
 */
public final class MergedWeights implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> weights;
    private final MergePlan plan;

    private MergedWeights(NDManager manager, Map<String, NDArray> weights, MergePlan plan) {
        this.manager = manager;
        this.weights = Collections.unmodifiableMap(weights);
        this.plan = plan;
    }

    /** Merges {@code config} from source folders opened once by the caller (a long-lived merger) onto {@code device}. */
    public static MergedWeights merge(
            MergeConfig config, ModelFolders models, MergeRunner.Options options, Device device) {
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            HostTensors host = new HostTensors();
            Map<String, NDArray> weights = new ConcurrentHashMap<>();
            MergeRunner.Result r = MergeRunner.runToSink(
                    config,
                    models,
                    options,
                    (tm, bufs) ->
                            weights.put(tm.output(), host.toFloat32(manager, bufs, tm.outDtype(), tm.outShape())));
            return new MergedWeights(manager, weights, r.plan());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** As above, opening the config's models for this merge only (relative references beside {@code configDir}). */
    public static MergedWeights merge(MergeConfig config, Path configDir, MergeRunner.Options options, Device device) {
        try (ModelFolders models = ModelFolders.open(config.referencedModels(), configDir)) {
            return merge(config, models, options, device);
        }
    }

    /**
     * Writes the merge as a Hugging Face folder (safetensors in the plan's output dtypes, config.json, tokenizer
     * files, mergekit_config.yml), as {@code chimera merge} would, from the arrays in memory: no second merge.
     */
    public void save(Path dir, MergeConfig recipe, ModelFolders models) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MergeException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        List<TensorSpec> specs = plan.tensors().stream()
                .map(t -> new TensorSpec(t.output(), t.outDtype(), t.outShape()))
                .toList();
        HostTensors host = new HostTensors();
        try (ShardedSafetensorsWriter w =
                new ShardedSafetensorsWriter(dir, specs, ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES)) {
            for (TensorSpec s : specs) {
                w.write(s.name(), host.encode(weights.get(s.name()), s.dtype()));
            }
            w.finish();
        }
        OutputFiles.write(recipe, plan, models, dir);
    }

    /** The merged tensors by name, float32, on the merge's device. */
    public Map<String, NDArray> weights() {
        return weights;
    }

    /** What was merged: the plan's tensors, layer counts and donor. */
    public MergePlan plan() {
        return plan;
    }

    @Override
    public void close() {
        manager.close();
    }
}
