package dev.chimera.merge;

import dev.chimera.merge.method.MergeException;
import dev.chimera.tensor.HfConfig;
import dev.chimera.tensor.TensorSpec;
import java.util.List;

/**
 * What the planner needs to know of an input model: its tensor names, their dtype and shape, and its config.
 * Implemented over model folders on disk and, in the engine, over models already loaded on a device.
 */
public interface SourceModel {
    /** The reference used in the merge config (a folder path). */
    String ref();

    /** Tensor names in the model's own order. */
    List<String> tensorNames();

    /** Dtype and shape of a tensor, or null when the model has no such tensor. */
    TensorSpec spec(String tensorName);

    /** Its config.json: the architecture class and the layer counts. */
    HfConfig config();

    /** Its tokenizer's vocabulary, needed only when {@code tokenizer_source} is given. */
    default TokenizerVocab vocab() {
        throw new MergeException("model " + ref() + " has no tokenizer available");
    }
}
