package dev.chimera.extending;

import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import dev.chimera.eval.TaskRunner;
import dev.chimera.eval.Tokenizer;
import dev.chimera.local.LocalSearch;
import dev.chimera.local.MergeFitness;
import dev.chimera.local.MergeProblem;
import dev.chimera.merge.MergeConfigYaml;
import dev.chimera.search.Optimizers;
import dev.chimera.search.genome.ParamGene;
import dev.chimera.search.genome.ParameterGenome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The README's library example, as code that compiles and runs (LibraryExampleTest). */
final class LibraryExample {
    private LibraryExample() {}

    static LocalSearch.Result search(Path base, Path expertA, Path expertB, Path taskFile, Path out, int evaluations)
            throws IOException {
        // README: begin
        Task task = TaskLoader.load(taskFile);
        try (Tokenizer tokenizer = Tokenizer.load(base)) {
            ParameterGenome genome = ParameterGenome.builder("ties")
                    .baseModel(base.toString())
                    .models(List.of(expertA.toString(), expertB.toString()))
                    .param(ParamGene.perModel("weight", 0, 1))
                    .param(ParamGene.perModel("density", 0.1, 1))
                    .build();
            // the fitness is any Java function of the merged model: here the task's accuracy
            MergeProblem problem = MergeProblem.of(
                    genome,
                    MergeFitness.of(model ->
                            TaskRunner.score(model.lm(), tokenizer, task).score()));
            LocalSearch.Result result =
                    LocalSearch.run(problem, Optimizers.create("cmaes", genome.bounds(), 1, 42), evaluations);
            Files.writeString(out, MergeConfigYaml.write(result.bestRecipe())); // a mergekit recipe
            return result;
        }
        // README: end
    }
}
