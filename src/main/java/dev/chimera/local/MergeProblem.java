package dev.chimera.local;

import dev.chimera.search.genome.Genome;
import java.util.Objects;

/**
 * A search problem (Jenetics' {@code Problem.of(fitness, codec)}): the genome decodes genes into a merge recipe, the
 * fitness scores the merged model.
 *
 * @param genome    the search space (its models are local folders)
 * @param fitness   the objectives of a merged model
 * @param objectives how many values the fitness returns
 */
public record MergeProblem(Genome genome, MergeFitness fitness, int objectives) {
    public MergeProblem {
        Objects.requireNonNull(genome, "genome");
        Objects.requireNonNull(fitness, "fitness");
        if (objectives < 1) {
            throw new IllegalArgumentException("a problem needs at least one objective, got " + objectives);
        }
    }

    /** A single-objective problem. */
    public static MergeProblem of(Genome genome, MergeFitness fitness) {
        return new MergeProblem(genome, fitness, 1);
    }
}
