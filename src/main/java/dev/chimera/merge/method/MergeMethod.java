package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * One merge method, with mergekit's name, parameters and per-tensor semantics. Implementations are stateless;
 * {@link MergeMethods} finds them by name.
 */
public interface MergeMethod {
    /** The mergekit name, e.g. {@code ties}. */
    String name();

    /** Parameters read once per tensor (mergekit's {@code parameters()}). */
    default List<ParamDef> globalParams() {
        return List.of();
    }

    /** Parameters read per input model (mergekit's {@code tensor_parameters()}). */
    default List<ParamDef> tensorParams() {
        return List.of();
    }

    /** Whether a base model must be given. */
    default boolean requiresBase() {
        return false;
    }

    /**
     * Embeddings of differing vocab sizes: true if the method cuts the others to the base's shape (the task-vector
     * family, as mergekit's {@code get_task_vectors}); false if all are cut to their common sub-matrix
     * (mergekit's {@code rectify_embed_sizes}).
     */
    default boolean trimsEmbeddingsToBase() {
        return false;
    }

    /** Whether the method draws random numbers (and so depends on the seed). */
    default boolean random() {
        return false;
    }

    /** Checks parameter values for one tensor before any tensor is loaded; throws with a clear message. */
    default void validate(Params global, List<Params> perInput, List<String> models, int baseIndex) {}

    /** Merges one tensor. The result must be float32 and attached to {@code in.manager()}. */
    NDArray merge(MergeInput in);
}
