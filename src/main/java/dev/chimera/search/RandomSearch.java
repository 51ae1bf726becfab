package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pure random search (Brooks, "A Discussion of Random Methods for Seeking Maxima", Operations Research 6(2), 1958):
 * every candidate is uniform in the bounds, independent of all results. The baseline the other algorithms must
 * beat.
 *
 * <p>Setting (optional): {@code batch} (default 16, at least 1): at most this many candidates are out at once, so an
 * {@link #ask} returns at most {@code batch} minus the number handed out but not yet told. Told results never
 * influence the candidates, so the sequence depends only on the seed. {@link #generation()} counts completed
 * batches' worth of evaluations ({@code evaluations / batch}).
 */
public final class RandomSearch extends AbstractOptimizer {
    public static final String NAME = "random";
    private static final int VERSION = 2;

    private final int n;
    private final int batch;

    private long nextId;
    // Not a Generation: a told candidate frees its slot at once, so ask never waits for a whole batch.
    private final Map<Long, Candidate> inFlight = new TreeMap<>();
    private final BestSoFar best = BestSoFar.excludingNaN();

    private RandomSearch(Bounds bounds, int objectives, Config settings, Rng rng) {
        super(NAME, VERSION, bounds, objectives, rng);
        OptimizerSettings.requireSingleObjective(NAME, objectives);
        this.n = bounds.dimension();
        this.batch = OptimizerSettings.integer(settings, "batch", 16);
        OptimizerSettings.require(NAME, batch >= 1, "batch must be at least 1, got " + batch);
    }

    public int batch() {
        return batch;
    }

    /** Blocks of {@code batch} consecutive ids (told results never change what is asked, so any grouping works). */
    @Override
    public long cohort(long candidateId) {
        return candidateId / batch;
    }

    @Override
    public synchronized List<Candidate> ask(int max) {
        int k = Math.max(0, Math.min(max, batch - inFlight.size()));
        List<Candidate> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            Candidate c = new Candidate(nextId++, GeneticAlgorithmOperators.uniform(bounds, 1, rng)[0]);
            inFlight.put(c.id(), c);
            out.add(c);
        }
        return out;
    }

    @Override
    Evaluation accept(long id, double[] values) {
        Candidate c = inFlight.remove(id);
        return c == null ? null : new Evaluation(c, values);
    }

    @Override
    void told(Evaluation e) {
        best.offer(e);
        generation = evaluations / batch;
    }

    @Override
    public synchronized List<Evaluation> best() {
        return best.list();
    }

    @Override
    void start() {
        // candidates are drawn when asked for
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    ObjectNode settingsJson() {
        return SnapshotJson.F.objectNode().put("batch", batch);
    }

    @Override
    void writeState(ObjectNode s) {
        s.put("nextId", nextId);
        ArrayNode pending = s.putArray("inFlight");
        for (Candidate c : inFlight.values()) {
            pending.add(SnapshotJson.candidate(c, null));
        }
        best.write(s);
    }

    @Override
    void readState(JsonNode s) {
        nextId = SnapshotJson.required(s, "nextId").asLong();
        for (JsonNode c : SnapshotJson.required(s, "inFlight")) {
            Candidate x = SnapshotJson.candidate(c, n);
            inFlight.put(x.id(), x);
        }
        best.read(s);
    }

    /** Registered in {@link Optimizers} as {@code random}; reads {@code batch}. */
    public static final class Factory extends AbstractOptimizer.Factory<RandomSearch> {
        public Factory() {
            super(NAME, VERSION, RandomSearch::new);
        }
    }
}
