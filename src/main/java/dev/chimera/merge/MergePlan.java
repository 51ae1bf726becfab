package dev.chimera.merge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fully resolved merge: the method, every output tensor with its inputs and parameters, and what the output
 * config changes. Built by {@link MergePlanner} from a {@link MergeConfig}; executed by {@link MergeRunner} (to disk)
 * or by the engine's mergers (in device memory).
 *
 * @param method         merge method name
 * @param tensors        output tensors, in write order
 * @param outLayers      layer count of the output's main module (the text decoder)
 * @param layerCounts    config.json key -> layer count, for every module the merge planned
 * @param donor          model whose config.json and tokenizer are the template for the output
 * @param outVocab       rows of the output embedding table, or -1 when the model has none
 * @param outDtypeName   dtype name written to config.json, or null to keep the donor's
 * @param tokenizerFrom  model whose tokenizer files are copied to the output
 * @param unionVocab     for {@code tokenizer_source: union}, the output vocabulary (token -> id), else null
 * @param architecture   name of the architecture definition the plan follows
 * @param unlisted       tensors of the inputs ("model: tensor") the definition does not list: not written
 */
public record MergePlan(
        String method,
        List<TensorMerge> tensors,
        int outLayers,
        Map<String, Integer> layerCounts,
        String donor,
        long outVocab,
        String outDtypeName,
        String tokenizerFrom,
        Map<String, Integer> unionVocab,
        String architecture,
        List<String> unlisted) {
    public MergePlan {
        tensors = List.copyOf(tensors);
        layerCounts = Collections.unmodifiableMap(new LinkedHashMap<>(layerCounts));
        unlisted = List.copyOf(unlisted);
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
