package dev.chimera.local;

import ai.djl.Device;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeRunner;
import dev.chimera.merge.MergedWeights;
import dev.chimera.merge.ModelFolders;
import dev.chimera.search.Candidate;
import dev.chimera.search.Evaluation;
import dev.chimera.search.Optimizer;
import dev.chimera.tensor.ComputeDevice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a {@link MergeProblem} with an optimizer in this thread (Jenetics' {@code Engine}, without actors): ask,
 * decode, merge in memory, score, tell, until the optimizer has been told {@code evaluations} results. A recipe seen
 * before is told its earlier score without a merge. The models are opened once. Deterministic for a deterministic
 * optimizer and fitness.
 */
public final class LocalSearch {
    private LocalSearch() {}

    /**
     * What a search found.
     *
     * @param evaluated every distinct candidate scored, in order
     * @param best      the optimizer's best (one for a single objective, the non-dominated set for several)
     * @param merges    merges built (distinct recipes)
     */
    public record Result(List<Evaluation> evaluated, List<Evaluation> best, int merges, MergeProblem problem) {
        /** The best candidate's recipe (the first of several for a multi-objective search). */
        public MergeConfig bestRecipe() {
            return problem.genome().decode(best.get(0).candidate().genes());
        }
    }

    /** Searches on the CPU with two merge threads and seed 0 for random merge methods. */
    public static Result run(MergeProblem problem, Optimizer optimizer, long evaluations) {
        return run(problem, optimizer, evaluations, MergeRunner.Options.defaults());
    }

    /** Searches with these merge options (device, threads, seed of random merge methods). */
    public static Result run(MergeProblem problem, Optimizer optimizer, long evaluations, MergeRunner.Options options) {
        if (optimizer.objectives() != problem.objectives()) {
            throw new IllegalArgumentException(
                    "the optimizer has " + optimizer.objectives() + " objectives, the problem " + problem.objectives());
        }
        Device device = ComputeDevice.available(options.device());
        Map<String, double[]> seen = new HashMap<>();
        List<Evaluation> evaluated = new ArrayList<>();
        ModelFolders models = null;
        Set<String> opened = Set.of();
        try {
            while (optimizer.evaluations() < evaluations) {
                List<Candidate> batch =
                        optimizer.ask((int) Math.min(Integer.MAX_VALUE, evaluations - optimizer.evaluations()));
                if (batch.isEmpty()) {
                    break; // the optimizer has finished
                }
                for (Candidate c : batch) {
                    String key = problem.genome().key(c.genes());
                    double[] values = seen.get(key);
                    if (values == null) {
                        MergeConfig recipe = problem.genome().decode(c.genes());
                        if (!opened.containsAll(recipe.referencedModels())) {
                            // a recipe naming a model not yet opened (a layer path may use a subset first)
                            Set<String> all = new LinkedHashSet<>(opened);
                            all.addAll(recipe.referencedModels());
                            if (models != null) {
                                models.close();
                            }
                            models = ModelFolders.open(List.copyOf(all), Path.of(""));
                            opened = all;
                        }
                        values = score(problem, recipe, models, options, device);
                        seen.put(key, values);
                        evaluated.add(new Evaluation(c, values.clone()));
                    }
                    optimizer.tell(c.id(), values);
                }
            }
        } finally {
            if (models != null) {
                models.close();
            }
        }
        return new Result(List.copyOf(evaluated), optimizer.best(), evaluated.size(), problem);
    }

    private static double[] score(
            MergeProblem problem, MergeConfig recipe, ModelFolders models, MergeRunner.Options options, Device device) {
        MergedWeights merged = MergedWeights.merge(recipe, models, options, device);
        try (MergedModel model =
                new MergedModel(recipe, merged, models.config(merged.plan().donor()))) {
            double[] values = problem.fitness().evaluate(model);
            if (values == null || values.length != problem.objectives()) {
                throw new IllegalStateException(
                        "the fitness returned " + (values == null ? "null" : values.length + " values") + " for "
                                + problem.objectives() + " objectives");
            }
            return values.clone();
        }
    }
}
