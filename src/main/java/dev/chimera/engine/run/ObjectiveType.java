package dev.chimera.engine.run;

import com.typesafe.config.Config;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergedWeights;
import dev.chimera.merge.ModelFolders;
import java.util.List;
import java.util.Map;

/**
 * One kind of objective written in Java, by the name a run objective's {@code type} gives (next to the built-in
 * {@code task}, {@code command} and {@code synthetic}); its other keys are its settings. {@link #items} runs once per
 * run on the coordinator, {@link #score} on the workers, on their evaluation threads (possibly several at once, so it
 * keeps no mutable state), for every candidate and, with {@code run.fidelity}, for the parents. A plugin lists its
 * classes (public, no-argument constructor) in {@code META-INF/services/dev.chimera.engine.run.ObjectiveType}, or code
 * calls {@link ObjectiveTypes#register}.
 */
public interface ObjectiveType {
    /** The name a run file gives, e.g. {@code perplexity}. */
    String name();

    /**
     * The objective's item ids; the run samples {@code n} of them and races on them as on a task's. Empty (the
     * default): the objective is one score per candidate.
     */
    default List<String> items(Config settings) {
        return List.of();
    }

    /**
     * Scores a candidate on these items (none for a score-only objective), putting each item's 0/1 result in
     * {@code answers}; the value is maximised (for items: usually the share answered correctly).
     */
    double score(Config settings, Candidate candidate, List<String> ids, Map<String, Integer> answers);

    /**
     * A candidate as an objective sees it: its recipe, its tensors in memory ({@link MergedWeights#weights()}, or
     * {@link MergedWeights#save} to a folder), and the run's model folders (configs, tokenizers).
     */
    record Candidate(MergeConfig recipe, MergedWeights merged, ModelFolders models) {}
}
