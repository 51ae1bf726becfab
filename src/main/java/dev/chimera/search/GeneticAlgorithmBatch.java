package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The new candidates of one generation, with consecutive ids, handed out in id order and told in any order. Shared
 * by {@link GeneticAlgorithm} and {@link Nsga2}; not thread-safe on its own (the optimizers synchronize).
 */
final class GeneticAlgorithmBatch {
    private final List<Candidate> candidates;
    private final double[][] results;
    private int handed;
    private int told;

    GeneticAlgorithmBatch(List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("a generation needs at least one candidate");
        }
        for (int i = 1; i < candidates.size(); i++) {
            if (candidates.get(i).id() != candidates.get(0).id() + i) {
                throw new IllegalArgumentException("batch ids must be consecutive");
            }
        }
        this.candidates = List.copyOf(candidates);
        this.results = new double[candidates.size()][];
    }

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

    /** Last id of this batch plus one. */
    long endId() {
        return candidates.get(candidates.size() - 1).id() + 1;
    }

    void write(com.fasterxml.jackson.databind.node.ObjectNode s) {
        ArrayNode a = GeneticAlgorithmJson.F.arrayNode(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            a.add(GeneticAlgorithmJson.candidate(candidates.get(i), results[i]));
        }
        s.set("batch", a);
        s.put("handed", handed);
    }

    static GeneticAlgorithmBatch read(JsonNode s) {
        JsonNode a = GeneticAlgorithmJson.required(s, "batch");
        List<Candidate> cs = new ArrayList<>();
        for (JsonNode o : a) {
            cs.add(GeneticAlgorithmJson.candidate(o));
        }
        GeneticAlgorithmBatch b = new GeneticAlgorithmBatch(cs);
        b.handed = GeneticAlgorithmJson.required(s, "handed").asInt();
        if (b.handed < 0 || b.handed > cs.size()) {
            throw new IllegalArgumentException("snapshot: \"handed\" out of range: " + b.handed);
        }
        int i = 0;
        for (JsonNode o : a) {
            double[] y = GeneticAlgorithmJson.objectives(o);
            if (y != null) {
                if (i >= b.handed) {
                    throw new IllegalArgumentException("snapshot: candidate " + cs.get(i).id() + " told but not handed out");
                }
                b.results[i] = y;
                b.told++;
            }
            i++;
        }
        return b;
    }
}
