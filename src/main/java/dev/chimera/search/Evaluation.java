package dev.chimera.search;

import java.util.Arrays;

/** A candidate with its objective values (all maximised). */
public record Evaluation(Candidate candidate, double[] objectives) {
    public Evaluation {
        objectives = objectives.clone();
    }

    @Override
    public double[] objectives() {
        return objectives.clone();
    }

    public double objective(int i) {
        return objectives[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Evaluation e && e.candidate.equals(candidate) && Arrays.equals(e.objectives, objectives);
    }

    @Override
    public int hashCode() {
        return candidate.hashCode() * 31 + Arrays.hashCode(objectives);
    }
}
