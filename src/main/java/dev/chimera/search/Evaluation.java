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

    /** Pareto dominance for maximisation: at least as good in every objective and better in one. */
    public boolean dominates(Evaluation other) {
        boolean better = false;
        for (int i = 0; i < objectives.length; i++) {
            if (objectives[i] < other.objectives[i]) {
                return false;
            }
            better |= objectives[i] > other.objectives[i];
        }
        return better;
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
