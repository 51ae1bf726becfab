package dev.chimera.merge;

import java.util.List;
import java.util.Map;

/**
 * A fully resolved merge: the method, every output tensor with its inputs and parameters, and what the output
 * config changes. Built by {@link MergePlanner} from a {@link MergeConfig}; executed by {@link MergeRunner} (to disk)
 * or by the engine's mergers (in device memory).
 *
 * @param method         merge method name
 * @param tensors        output tensors, in write order
 * @param outLayers      {@code num_hidden_layers} of the output
 * @param donor          model whose config.json and tokenizer are the template for the output
 * @param outVocab       rows of the output embedding table, or -1 when the model has none
 * @param outDtypeName   dtype name written to config.json, or null to keep the donor's
 * @param tokenizerFrom  model whose tokenizer files are copied to the output
 * @param unionVocab     for {@code tokenizer_source: union}, the output vocabulary (token -> id), else null
 */
public record MergePlan(
        String method,
        List<TensorMerge> tensors,
        int outLayers,
        String donor,
        long outVocab,
        String outDtypeName,
        String tokenizerFrom,
        Map<String, Integer> unionVocab) {
    public MergePlan {
        tensors = List.copyOf(tensors);
    }

    public long outputBytes() {
        return tensors.stream()
                .mapToLong(t -> {
                    long n = 1;
                    for (long d : t.outShape()) {
                        n *= d;
                    }
                    return n * t.outDtype().size();
                })
                .sum();
    }
}
