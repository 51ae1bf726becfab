package dev.chimera.extending;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.chimera.search.Bounds;
import dev.chimera.search.Candidate;
import dev.chimera.search.Evaluation;
import dev.chimera.search.Optimizer;
import dev.chimera.search.Optimizers;
import java.util.List;
import java.util.SplittableRandom;

/**
 * docs/extending.md's example optimizer: a (1+1) evolution strategy with the one-fifth success rule, for one
 * objective. One candidate at a time; a better child replaces the parent and widens the step, a worse one narrows
 * it. Its whole state (parent, step, the generator's seed and draws, the candidate in flight) is in the snapshot.
 */
public final class OnePlusOneEs implements Optimizer {
    public static final String NAME = "one-plus-one";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Bounds bounds;
    private final long seed;
    private long draws;
    private SplittableRandom rng;
    private double[] parent;
    private double parentValue = Double.NEGATIVE_INFINITY;
    private double step;
    private Candidate pending;
    private long nextId;
    private long evaluations;

    private OnePlusOneEs(Bounds bounds, long seed, double step) {
        this.bounds = bounds;
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
        this.step = step;
    }

    /** The factory a plugin registers (here in code; a jar lists it in META-INF/services). */
    public static final class Factory implements Optimizers.Factory {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Optimizer create(Bounds bounds, int objectives, long seed, Config settings) {
            if (objectives != 1) {
                throw new IllegalArgumentException(NAME + " optimizes one objective, not " + objectives);
            }
            double step = settings.hasPath("step") ? settings.getDouble("step") : 0.3;
            OnePlusOneEs es = new OnePlusOneEs(bounds, seed, step);
            es.parent = new double[bounds.dimension()];
            for (int i = 0; i < es.parent.length; i++) {
                es.parent[i] = bounds.lower(i) + es.next() * (bounds.upper(i) - bounds.lower(i));
            }
            return es;
        }

        @Override
        public Optimizer restore(ObjectNode s) {
            OnePlusOneEs es = new OnePlusOneEs(
                    new Bounds(array(s.get("lower")), array(s.get("upper"))),
                    s.get("seed").asLong(),
                    s.get("step").asDouble());
            for (long i = s.get("draws").asLong(); i > 0; i--) {
                es.next();
            }
            es.parent = array(s.get("parent"));
            es.parentValue = s.get("parentValue").asDouble();
            es.nextId = s.get("nextId").asLong();
            es.evaluations = s.get("evaluations").asLong();
            if (s.hasNonNull("pending")) {
                es.pending = new Candidate(es.nextId - 1, array(s.get("pending")));
            }
            return es;
        }
    }

    private double next() {
        draws++;
        return rng.nextDouble();
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

    @Override
    public synchronized List<Candidate> ask(int max) {
        if (max < 1 || pending != null) {
            return List.of(); // one at a time: wait for the tell
        }
        double[] child = parent.clone();
        if (evaluations > 0) { // the first candidate is the start point itself
            for (int i = 0; i < child.length; i++) {
                // a normal draw from two uniforms (Box-Muller), scaled to the box
                double z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
                child[i] += step * z * (bounds.upper(i) - bounds.lower(i));
            }
        }
        pending = new Candidate(nextId++, bounds.clip(child));
        return List.of(pending);
    }

    @Override
    public synchronized boolean tell(long id, double[] objectives) {
        if (pending == null || pending.id() != id) {
            return false;
        }
        evaluations++;
        boolean better = objectives[0] > parentValue;
        if (better) {
            parent = pending.genes();
            parentValue = objectives[0];
        }
        if (evaluations > 1) {
            step *= better ? Math.exp(0.8) : Math.exp(-0.2); // one-fifth rule: balanced at 1 success in 5
        }
        pending = null;
        return true;
    }

    @Override
    public synchronized long evaluations() {
        return evaluations;
    }

    @Override
    public synchronized long generation() {
        return evaluations;
    }

    @Override
    public synchronized List<Evaluation> best() {
        return evaluations == 0
                ? List.of()
                : List.of(new Evaluation(new Candidate(-1, parent.clone()), new double[] {parentValue}));
    }

    @Override
    public synchronized ObjectNode snapshot() {
        ObjectNode s = JSON.createObjectNode();
        s.put("algorithm", NAME);
        s.set("lower", JSON.valueToTree(bounds.lower()));
        s.set("upper", JSON.valueToTree(bounds.upper()));
        s.put("seed", seed);
        s.put("draws", draws);
        s.put("step", step);
        s.set("parent", JSON.valueToTree(parent));
        s.put("parentValue", parentValue);
        s.put("nextId", nextId);
        s.put("evaluations", evaluations);
        s.set("pending", pending == null ? null : JSON.valueToTree(pending.genes()));
        return s;
    }

    private static double[] array(JsonNode n) {
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }
}
