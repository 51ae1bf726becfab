package dev.chimera.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What evaluation needs from a causal language model (the {@code model} package implements it). */
public interface LanguageModel {
    /** Summed log-probability of a continuation and whether every continuation token is the greedy (argmax) one. */
    record LogLikelihood(double logLikelihood, boolean greedy) {}

    /**
     * For each pair i, log P(continuations[i] | contexts[i]) summed over the continuation tokens, as lm-eval's
     * {@code loglikelihood}. Both lists have the same length; no continuation is empty.
     */
    List<LogLikelihood> logLikelihoods(List<int[]> contexts, List<int[]> continuations);

    /**
     * Greedy decoding: the new tokens only (not the prompt), at most {@code maxNewTokens}, stopping after (and
     * excluding or including, either is fine: the runner decodes without special tokens) the first token in
     * {@code stopIds}.
     */
    int[] generate(int[] prompt, int maxNewTokens, Set<Integer> stopIds);

    /** {@link #generate} for each prompt, in order; a model may decode them together. */
    default List<int[]> generate(List<int[]> prompts, int maxNewTokens, Set<Integer> stopIds) {
        List<int[]> out = new ArrayList<>(prompts.size());
        for (int[] p : prompts) {
            out.add(generate(p, maxNewTokens, stopIds));
        }
        return out;
    }
}
