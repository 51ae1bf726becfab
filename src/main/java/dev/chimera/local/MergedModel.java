package dev.chimera.local;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergePlan;
import dev.chimera.merge.MergedWeights;
import dev.chimera.model.CausalLM;
import dev.chimera.model.ModelConfig;
import dev.chimera.tensor.HfConfig;
import java.util.Map;

/**
 * One candidate as its fitness sees it: the recipe, the merged tensors (float32, in memory) and, for the Llama family,
 * the merged model ready to run. Owns the arrays: closed by the search after the fitness returns.
 */
public final class MergedModel implements AutoCloseable {
    private final MergeConfig recipe;
    private final MergedWeights merged;
    private final HfConfig donorConfig;
    private CausalLM lm;

    MergedModel(MergeConfig recipe, MergedWeights merged, HfConfig donorConfig) {
        this.recipe = recipe;
        this.merged = merged;
        this.donorConfig = donorConfig;
    }

    /** The decoded genes as a mergekit recipe. */
    public MergeConfig recipe() {
        return recipe;
    }

    /** The merged tensors by name. */
    public Map<String, NDArray> weights() {
        return merged.weights();
    }

    /** The merge plan (tensors, layer counts, donor model). */
    public MergePlan plan() {
        return merged.plan();
    }

    /** The merged model's config.json: the donor's, with the merge's layer counts. */
    public HfConfig config() {
        return donorConfig.withIntsAt(merged.plan().layerCounts());
    }

    /** The merged model for inference (Llama family), built on first use over the merged arrays without copying. */
    public synchronized CausalLM lm() {
        if (lm == null) {
            ObjectNode json = config().json();
            lm = CausalLM.fromWeights(ModelConfig.fromJson(json), merged.weights());
        }
        return lm;
    }

    @Override
    public synchronized void close() {
        if (lm != null) {
            lm.close();
        }
        merged.close();
    }
}
