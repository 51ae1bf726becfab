package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The candidates of one generation, with consecutive ids, handed out in id order and told in any order: the ask/tell
 * bookkeeping of the generational optimizers ({@link CmaEs}, {@link DifferentialEvolution}, {@link GeneticAlgorithm},
 * {@link Nsga2}). The optimizer builds its next generation once this one is {@link #complete()}, reading the results
 * by index, so the outcome does not depend on the order of tells. Not thread-safe on its own (the optimizers
 * synchronize).
 */
final class Generation {
    private final List<Candidate> candidates;
    private final double[][] results;
    private int handed;
    private int told;

    Generation(List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("a generation needs at least one candidate");
        }
        for (int i = 1; i < candidates.size(); i++) {
            if (candidates.get(i).id() != candidates.get(0).id() + i) {
                throw new IllegalArgumentException("generation ids must be consecutive");
            }
        }
        this.candidates = List.copyOf(candidates);
        this.results = new double[candidates.size()][];
    }

    /** Candidates firstId, firstId + 1, ... with the given genes. */
    static Generation of(long firstId, double[][] genes) {
        List<Candidate> cs = new ArrayList<>(genes.length);
        for (double[] x : genes) {
            cs.add(new Candidate(firstId + cs.size(), x));
        }
        return new Generation(cs);
    }

    /** Up to {@code max} of the candidates not handed out yet, in id order. */
    List<Candidate> ask(int max) {
        int n = Math.max(0, Math.min(max, candidates.size() - handed));
        List<Candidate> out = new ArrayList<>(candidates.subList(handed, handed + n));
        handed += n;
        return out;
    }

    /**
     * Records a result and returns it; null (nothing recorded) for an id not handed out, of another generation, or
     * told already.
     */
    Evaluation tell(long id, double[] objectives) {
        long index = id - candidates.get(0).id();
        if (index < 0 || index >= handed || results[(int) index] != null) {
            return null;
        }
        results[(int) index] = objectives.clone();
        told++;
        return new Evaluation(candidates.get((int) index), objectives);
    }

    boolean complete() {
        return told == candidates.size();
    }

    int size() {
        return candidates.size();
    }

    /** Candidate k (id first id + k). */
    Candidate candidate(int k) {
        return candidates.get(k);
    }

    /** The first objective of every candidate, by index; once complete. */
    double[] values() {
        double[] v = new double[results.length];
        for (int k = 0; k < v.length; k++) {
            v[k] = results[k][0];
        }
        return v;
    }

    /** Told evaluations in id order (all of them once complete). */
    List<Evaluation> evaluations() {
        List<Evaluation> out = new ArrayList<>(told);
        for (int i = 0; i < candidates.size(); i++) {
            if (results[i] != null) {
                out.add(new Evaluation(candidates.get(i), results[i]));
            }
        }
        return out;
    }

    /** Last id of this generation plus one: the first id of the next. */
    long endId() {
        return candidates.get(candidates.size() - 1).id() + 1;
    }

    /** Writes the candidates (results where told) as {@code "batch"}, the number handed out as {@code "handed"}. */
    void write(ObjectNode s) {
        ArrayNode a = SnapshotJson.F.arrayNode(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            a.add(SnapshotJson.candidate(candidates.get(i), results[i]));
        }
        s.set("batch", a);
        s.put("handed", handed);
    }

    /** Reads what {@link #write} wrote; each candidate must have {@code dimension} genes. */
    static Generation read(JsonNode s, int dimension) {
        JsonNode a = SnapshotJson.required(s, "batch");
        List<Candidate> cs = new ArrayList<>();
        for (JsonNode o : a) {
            cs.add(SnapshotJson.candidate(o, dimension));
        }
        Generation g = new Generation(cs);
        g.handed = SnapshotJson.required(s, "handed").asInt();
        if (g.handed < 0 || g.handed > cs.size()) {
            throw new SearchException("snapshot: \"handed\" out of range: " + g.handed);
        }
        int i = 0;
        for (JsonNode o : a) {
            double[] y = SnapshotJson.objectives(o);
            if (y != null) {
                if (i >= g.handed) {
                    throw new SearchException("snapshot: candidate " + cs.get(i).id() + " told but not handed out");
                }
                g.results[i] = y;
                g.told++;
            }
            i++;
        }
        return g;
    }
}
