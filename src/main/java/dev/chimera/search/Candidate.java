package dev.chimera.search;

import java.util.Arrays;

/**
 * A point to evaluate: an id unique within one optimizer run (assigned in ask order, from 0) and its genes,
 * inside the optimizer's {@link Bounds}.
 */
public record Candidate(long id, double[] genes) {
    public Candidate {
        genes = genes.clone();
    }

    @Override
    public double[] genes() {
        return genes.clone();
    }

    /** Gene i without copying the array. */
    public double gene(int i) {
        return genes[i];
    }

    public int dimension() {
        return genes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Candidate c && c.id == id && Arrays.equals(c.genes, genes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Arrays.hashCode(genes);
    }

    @Override
    public String toString() {
        return "Candidate[" + id + ", " + Arrays.toString(genes) + "]";
    }
}
