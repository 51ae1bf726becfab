package dev.chimera.merge.arch;

import java.util.List;

/**
 * Where an architecture keeps the parts a search space addresses by name (as mergekit's parameter filters: a filter
 * matches every tensor whose name contains it).
 *
 * @param attention filters of a layer's attention tensors (e.g. {@code self_attn.})
 * @param mlp       filters of a layer's feed-forward tensors (e.g. {@code mlp.}; MoE layers may need two)
 * @param embed     filters of the input embedding tables
 * @param head      filters of the final norm and the output head
 * @param outputs   filters of the projections that write into the residual stream (scaled by layer-path merges)
 */
public record LayerGroups(
        List<String> attention, List<String> mlp, List<String> embed, List<String> head, List<String> outputs) {
    public LayerGroups {
        attention = List.copyOf(attention);
        mlp = List.copyOf(mlp);
        embed = List.copyOf(embed);
        head = List.copyOf(head);
        outputs = List.copyOf(outputs);
    }

    /** The Llama family's names, which the synthetic and zoo models use. */
    public static final LayerGroups LLAMA = new LayerGroups(
            List.of("self_attn."),
            List.of("mlp."),
            List.of("embed_tokens"),
            List.of("lm_head", "model.norm."),
            List.of("o_proj", "down_proj"));
}
