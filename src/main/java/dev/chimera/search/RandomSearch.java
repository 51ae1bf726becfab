package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
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
public final class RandomSearch implements Optimizer {
    public static final String NAME = "random";
    private static final int VERSION = 1;

    private final Bounds bounds;
    private final int n;
    private final int batch;

    private final Rng rng;
    private long nextId;
    private long evaluations;
    private final Map<Long, double[]> inFlight = new TreeMap<>();
    private Evaluation best;

    private RandomSearch(Bounds bounds, int batch, Rng rng) {
        this.bounds = bounds;
        this.n = bounds.dimension();
        this.batch = batch;
        this.rng = rng;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Bounds bounds() {
        return bounds;
    }

    @Override
    public int objectives() {
        return 1;
    }

    public int batch() {
        return batch;
    }

    @Override
    public synchronized List<Candidate> ask(int max) {
        int k = Math.max(0, Math.min(max, batch - inFlight.size()));
        List<Candidate> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            double[] x = new double[n];
            for (int j = 0; j < n; j++) {
                x[j] = bounds.lower(j) + rng.nextDouble() * (bounds.upper(j) - bounds.lower(j));
            }
            long id = nextId++;
            inFlight.put(id, x);
            out.add(new Candidate(id, x));
        }
        return out;
    }

    @Override
    public synchronized boolean tell(long id, double[] objectives) {
        if (objectives == null || objectives.length != 1) {
            throw new IllegalArgumentException("random is single-objective here: tell needs exactly 1 value, got "
                    + (objectives == null ? "null" : objectives.length));
        }
        double[] x = inFlight.remove(id);
        if (x == null) {
            return false;
        }
        evaluations++;
        double v = objectives[0];
        if (!Double.isNaN(v) && (best == null || v > best.objective(0)
                || (v == best.objective(0) && id < best.candidate().id()))) {
            best = new Evaluation(new Candidate(id, x), new double[] {v});
        }
        return true;
    }

    @Override
    public synchronized long evaluations() {
        return evaluations;
    }

    @Override
    public synchronized long generation() {
        return evaluations / batch;
    }

    @Override
    public synchronized List<Evaluation> best() {
        return best == null ? List.of() : List.of(best);
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public synchronized ObjectNode snapshot() {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("algorithm", NAME);
        s.put("version", VERSION);
        ObjectNode b = s.putObject("bounds");
        b.set("lower", doubles(bounds.lower()));
        b.set("upper", doubles(bounds.upper()));
        s.putObject("settings").put("batch", batch);
        ArrayNode r = s.putArray("rng");
        for (long v : rng.state()) {
            r.add(v);
        }
        s.put("nextId", nextId);
        s.put("evaluations", evaluations);
        ArrayNode pending = s.putArray("inFlight");
        for (Map.Entry<Long, double[]> e : inFlight.entrySet()) {
            ObjectNode c = pending.addObject();
            c.put("id", e.getKey());
            c.set("genes", doubles(e.getValue()));
        }
        if (best != null) {
            ObjectNode bn = s.putObject("best");
            bn.put("id", best.candidate().id());
            bn.set("genes", doubles(best.candidate().genes()));
            bn.set("objectives", doubles(best.objectives()));
        }
        return s;
    }

    static RandomSearch restore(ObjectNode s) {
        if (!NAME.equals(required(s, "algorithm").asText()) || required(s, "version").asInt() != VERSION) {
            throw new IllegalArgumentException("not a random version " + VERSION + " snapshot: algorithm "
                    + s.path("algorithm") + ", version " + s.path("version"));
        }
        JsonNode b = required(s, "bounds");
        Bounds bounds = new Bounds(toDoubles(required(b, "lower")), toDoubles(required(b, "upper")));
        JsonNode r = required(s, "rng");
        long[] state = new long[r.size()];
        for (int i = 0; i < state.length; i++) {
            state[i] = r.get(i).asLong();
        }
        int batch = required(required(s, "settings"), "batch").asInt();
        RandomSearch o = new RandomSearch(bounds, batch, Rng.restore(state));
        o.nextId = required(s, "nextId").asLong();
        o.evaluations = required(s, "evaluations").asLong();
        for (JsonNode c : required(s, "inFlight")) {
            double[] x = toDoubles(required(c, "genes"));
            if (x.length != o.n) {
                throw new IllegalArgumentException("random snapshot: candidate of length " + x.length + ", expected "
                        + o.n);
            }
            o.inFlight.put(required(c, "id").asLong(), x);
        }
        JsonNode bn = s.get("best");
        if (bn != null && !bn.isNull()) {
            o.best = new Evaluation(new Candidate(required(bn, "id").asLong(), toDoubles(required(bn, "genes"))),
                    toDoubles(required(bn, "objectives")));
        }
        return o;
    }

    // Non-finite doubles as the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers).
    private static ArrayNode doubles(double[] a) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode(a.length);
        for (double v : a) {
            out.add(Double.isFinite(v) ? DoubleNode.valueOf(v) : TextNode.valueOf(Double.toString(v)));
        }
        return out;
    }

    private static double[] toDoubles(JsonNode node) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("random snapshot: expected an array of numbers, got " + node);
        }
        double[] out = new double[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (v.isTextual()) {
                out[i] = Double.parseDouble(v.asText());
            } else if (v.isNumber()) {
                out[i] = v.doubleValue();
            } else {
                throw new IllegalArgumentException("random snapshot: expected a number, got " + v);
            }
        }
        return out;
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("random snapshot: missing \"" + field + "\"");
        }
        return v;
    }

    // ---------------------------------------------------------------- factory

    /** Reads {@code batch}; see the class comment. */
    public static final class Factory implements Optimizers.Factory {
        @Override
        public Optimizer create(Bounds bounds, int objectives, long seed, Config settings) {
            if (objectives != 1) {
                throw new IllegalArgumentException("random search here is single-objective: got " + objectives
                        + " objectives (use a multi-objective algorithm such as nsga2)");
            }
            int batch = settings.hasPath("batch") ? settings.getInt("batch") : 16;
            if (batch < 1) {
                throw new IllegalArgumentException("random: batch must be at least 1, got " + batch);
            }
            return new RandomSearch(bounds, batch, new Rng(seed));
        }

        @Override
        public Optimizer restore(ObjectNode snapshot) {
            return RandomSearch.restore(snapshot);
        }
    }
}
