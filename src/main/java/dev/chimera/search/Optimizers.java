package dev.chimera.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Creates optimizers by name with their settings (HOCON; absent keys take the algorithm's documented defaults) and
 * restores them from snapshots. Each algorithm registers one {@link Factory} line below.
 */
public final class Optimizers {
    /** How to make and restore one algorithm. */
    public interface Factory {
        Optimizer create(Bounds bounds, int objectives, long seed, Config settings);

        Optimizer restore(ObjectNode snapshot);
    }

    private static final Map<String, Factory> FACTORIES = new TreeMap<>();

    static {
        // one line per algorithm: FACTORIES.put("name", new SomeAlgorithm.Factory());
        FACTORIES.put("ga", new GeneticAlgorithm.Factory());
        FACTORIES.put("nsga2", new Nsga2.Factory());
        FACTORIES.put("cmaes", new CmaEs.Factory());
        FACTORIES.put("de", new DifferentialEvolution.Factory());
        FACTORIES.put("random", new RandomSearch.Factory());
    }

    private Optimizers() {}

    public static Optimizer create(String algorithm, Bounds bounds, int objectives, long seed, Config settings) {
        return factory(algorithm).create(bounds, objectives, seed, settings == null ? ConfigFactory.empty() : settings);
    }

    public static Optimizer create(String algorithm, Bounds bounds, int objectives, long seed) {
        return create(algorithm, bounds, objectives, seed, ConfigFactory.empty());
    }

    public static Optimizer restore(ObjectNode snapshot) {
        if (snapshot == null || !snapshot.hasNonNull("algorithm")) {
            throw new SearchException("an optimizer snapshot needs an \"algorithm\" field");
        }
        return factory(snapshot.get("algorithm").asText()).restore(snapshot);
    }

    public static Set<String> names() {
        return Collections.unmodifiableSet(FACTORIES.keySet());
    }

    private static Factory factory(String name) {
        Factory f = FACTORIES.get(name);
        if (f == null) {
            throw new SearchException(
                    "unknown algorithm '" + name + "' (known: " + String.join(", ", FACTORIES.keySet()) + ")");
        }
        return f;
    }
}
