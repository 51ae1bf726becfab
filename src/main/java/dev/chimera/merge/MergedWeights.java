package dev.chimera.merge;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.chimera.tensor.HostTensors;
import java.nio.file.Path;
import java.util.Collections;
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
