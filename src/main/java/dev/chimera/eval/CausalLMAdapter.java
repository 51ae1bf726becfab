package dev.chimera.eval;

import dev.chimera.model.CausalLM;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Lets the task runner drive a {@link CausalLM}; calls {@code onCall} after each model call (progress). */
public final class CausalLMAdapter implements LanguageModel {
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
}
