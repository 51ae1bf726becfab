package dev.chimera.eval;

import dev.chimera.model.CausalLM;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Lets the task runner drive a {@link CausalLM}; calls {@code onCall} once per request (a log-likelihood call or a
 * generated prompt), for progress.
 */
public final class CausalLMAdapter implements LanguageModel {
    /**
     * Up to this many new tokens, prompts are decoded together ({@link CausalLM#generateGreedy(List, int, Set)}
     * recomputes the prefix every step, which pays off for short answers only); longer ones one by one with a KV cache.
     */
    static final int BATCHED_MAX_NEW_TOKENS = 16;
    /** Prompts per batched decoding call. */
    public static final int GENERATION_BATCH = 64;

    private final CausalLM model;
    private final Runnable onCall;

    public CausalLMAdapter(CausalLM model, Runnable onCall) {
        this.model = model;
        this.onCall = onCall;
    }

    @Override
    public List<LogLikelihood> logLikelihoods(List<int[]> contexts, List<int[]> continuations) {
        List<LogLikelihood> out = new ArrayList<>();
        for (CausalLM.LogLikelihood l : model.logLikelihoods(contexts, continuations)) {
            out.add(new LogLikelihood(l.logProb(), l.isGreedy()));
        }
        onCall.run();
        return out;
    }

    @Override
    public int[] generate(int[] prompt, int maxNewTokens, Set<Integer> stopIds) {
        int[] tokens = model.generateGreedy(prompt, maxNewTokens, stopIds).tokens();
        onCall.run();
        return tokens;
    }

    @Override
    public List<int[]> generate(List<int[]> prompts, int maxNewTokens, Set<Integer> stopIds) {
        if (maxNewTokens > BATCHED_MAX_NEW_TOKENS) {
            return LanguageModel.super.generate(prompts, maxNewTokens, stopIds);
        }
        List<int[]> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += GENERATION_BATCH) {
            List<int[]> chunk = prompts.subList(from, Math.min(prompts.size(), from + GENERATION_BATCH));
            for (CausalLM.Generation g : model.generateGreedy(chunk, maxNewTokens, stopIds)) {
                out.add(g.tokens());
                onCall.run();
            }
        }
        return out;
    }
}
