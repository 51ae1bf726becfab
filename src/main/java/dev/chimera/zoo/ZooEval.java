package dev.chimera.zoo;

import ai.djl.Device;
import dev.chimera.eval.Item;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import dev.chimera.eval.TaskRunner;
import dev.chimera.eval.TokenCodec;
import dev.chimera.eval.Tokenizer;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeRunner;
import dev.chimera.merge.MergedWeights;
import dev.chimera.model.CausalLM;
import dev.chimera.model.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scoring zoo models and in-memory merges of them on the zoo's tasks (Chimera's own merge and eval paths). */
public final class ZooEval implements AutoCloseable {
    private static final int BATCH = 100;
    private final Zoo zoo;
    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final TokenCodec codec;
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, List<Item>> items = new LinkedHashMap<>();

    public ZooEval(Zoo zoo) {
        this.zoo = zoo;
        this.config = ModelConfig.read(zoo.base());
        this.tokenizer = Tokenizer.load(zoo.base());
        this.codec = TokenCodec.of(tokenizer);
        for (String name : List.of(Zoo.TARGET_SEARCH, Zoo.TARGET_TEST, Zoo.SKILL1_TEST, Zoo.SKILL2_TEST)) {
            Task t = TaskLoader.load(zoo.task(name));
            tasks.put(name, t);
            items.put(name, TaskLoader.items(t));
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** Exact-match accuracy (0..1) of a model on one of the zoo's tasks, via {@link TaskRunner}. */
    public double accuracy(CausalLM model, String task) {
        Task t = tasks.get(task);
        if (t == null) {
            throw new ZooException("unknown zoo task " + task + " (known: " + tasks.keySet() + ")");
        }
        return TaskRunner.score(model, codec, t, items.get(task), List.of(), () -> {})
                .score();
    }

    /**
     * Fast exact match for the search loop: the share of items whose answer continuation (the task's continuation
     * template with the answer, then EOS) is the greedy choice at every token given the prompt, scored teacher-forced
     * in batches of log-likelihood requests. Greedy decoding then produces exactly the answer and stops, so this is
     * a lower bound of {@link #accuracy} (which also accepts other text around the right last number).
     */
    public double greedyMatch(CausalLM model, String task) {
        int hits = 0;
        List<CausalLM.LogLikelihood> all = answerLikelihoods(model, task);
        for (CausalLM.LogLikelihood ll : all) {
            hits += ll.isGreedy() ? 1 : 0;
        }
        return (double) hits / all.size();
    }

    /**
     * A smooth search fitness: the mean over items of p(answer continuation + EOS | prompt), the expected exact
     * match of sampling; teacher-forced in batches like {@link #greedyMatch}.
     */
    public double answerProbability(CausalLM model, String task) {
        double sum = 0;
        List<CausalLM.LogLikelihood> all = answerLikelihoods(model, task);
        for (CausalLM.LogLikelihood ll : all) {
            sum += Math.exp(ll.logProb());
        }
        return sum / all.size();
    }

    private List<CausalLM.LogLikelihood> answerLikelihoods(CausalLM model, String task) {
        Task t = tasks.get(task);
        if (t == null) {
            throw new ZooException("unknown zoo task " + task + " (known: " + tasks.keySet() + ")");
        }
        List<Item> all = items.get(task);
        int eos = codec.eosId().orElseThrow(() -> new ZooException("the zoo tokenizer has no EOS token"));
        List<CausalLM.LogLikelihood> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += BATCH) {
            List<int[]> contexts = new ArrayList<>();
            List<int[]> continuations = new ArrayList<>();
            for (Item item : all.subList(from, Math.min(all.size(), from + BATCH))) {
                Item.Generation g = (Item.Generation) item;
                contexts.add(codec.encodeWithSpecial(t.promptFor(g.question())));
                int[] answer = tokenizer.encode(t.continuation().replace("{answer}", g.target()));
                int[] cont = Arrays.copyOf(answer, answer.length + 1);
                cont[answer.length] = eos;
                continuations.add(cont);
            }
            out.addAll(model.logLikelihoods(contexts, continuations));
        }
        return out;
    }

    /** Merges {@code config} in memory and scores it with {@link #answerProbability} on {@code task}. */
    public double mergedAnswerProbability(MergeConfig merge, String task) {
        try (MergedWeights w = mergeOnCpu(merge);
                CausalLM lm = CausalLM.fromWeights(config, w.weights())) {
            return answerProbability(lm, task);
        }
    }

    /** Merges {@code config} in memory and scores it with {@link #greedyMatch} on {@code task}. */
    public double mergedGreedyMatch(MergeConfig merge, String task) {
        try (MergedWeights w = mergeOnCpu(merge);
                CausalLM lm = CausalLM.fromWeights(config, w.weights())) {
            return greedyMatch(lm, task);
        }
    }

    /** Merges {@code merge} in memory, on the CPU, from this zoo's models. */
    private MergedWeights mergeOnCpu(MergeConfig merge) {
        return MergedWeights.merge(merge, zoo.dir(), MergeRunner.Options.defaults(), Device.cpu());
    }

    /** Merges {@code config} in memory and scores it on {@code task}. */
    public double mergedAccuracy(MergeConfig merge, String task) {
        try (MergedWeights w = mergeOnCpu(merge);
                CausalLM lm = CausalLM.fromWeights(config, w.weights())) {
            return accuracy(lm, task);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
