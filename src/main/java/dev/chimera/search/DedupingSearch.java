package dev.chimera.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Evaluates each distinct merge once: candidates whose key (the decoded recipe) was evaluated before are told
 * the cached objectives at once and never handed out; candidates whose key is already being evaluated wait for
 * that result. Wraps any {@link Optimizer}; the wrapped optimizer still sees every candidate told.
 */
public final class DedupingSearch {
    private final Optimizer optimizer;
    private final Function<double[], String> key;
    private final Map<String, double[]> done = new HashMap<>();
    private final Map<String, List<Long>> waiting = new HashMap<>();
    private final Map<Long, String> keyOf = new HashMap<>();
    private long cacheHits;

    public DedupingSearch(Optimizer optimizer, Function<double[], String> key) {
        this.optimizer = optimizer;
        this.key = key;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** New distinct candidates to evaluate (at most {@code max}); duplicates are resolved internally. */
    public synchronized List<Candidate> ask(int max) {
        List<Candidate> out = new ArrayList<>();
        while (out.size() < max) {
            List<Candidate> batch = optimizer.ask(max - out.size());
            if (batch.isEmpty()) {
                break;
            }
            for (Candidate c : batch) {
                String k = key.apply(c.genes());
                double[] cached = done.get(k);
                if (cached != null) {
                    cacheHits++;
                    optimizer.tell(c.id(), cached);
                } else if (waiting.containsKey(k)) {
                    cacheHits++;
                    waiting.get(k).add(c.id());
                } else {
                    waiting.put(k, new ArrayList<>(List.of(c.id())));
                    keyOf.put(c.id(), k);
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** Result of a candidate returned by {@link #ask}; forwarded to every candidate waiting on the same recipe. */
    public synchronized boolean tell(long id, double[] objectives) {
        String k = keyOf.remove(id);
        if (k == null) {
            return false;
        }
        done.put(k, objectives.clone());
        boolean ok = false;
        for (long waiter : waiting.remove(k)) {
            ok |= optimizer.tell(waiter, objectives);
        }
        return ok;
    }

    /** Candidates answered from the cache (or merged into an evaluation in flight) instead of evaluated. */
    public synchronized long cacheHits() {
        return cacheHits;
    }
}
