package dev.chimera.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.chimera.Registry;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Creates optimizers by name with their settings (HOCON; absent keys take the algorithm's documented defaults) and
 * restores them from snapshots. The built-in algorithms register one {@link Factory} line below; a jar on the class
 * path adds its own by listing {@link Factory} classes (public, no-argument constructor) in
 * {@code META-INF/services/dev.chimera.search.Optimizers$Factory} (found with {@link java.util.ServiceLoader} on first use), and
 * code calls {@link #register}. Names must be new. Thread-safe.
 */
public final class Optimizers {
    /**
     * How to make and restore one algorithm. {@link #create} is called once per run (on the coordinator),
     * {@link #restore} when a run resumes from its checkpoint; both on one thread at a time. The optimizers they
     * return must keep the {@link Optimizer} contract (thread-safe ask/tell, determinism for a seed, a snapshot that
     * restores bit-exactly with {@code "algorithm": name()}).
     */
    public interface Factory {
        /** The algorithm's name, as a run file's {@code run.algorithm.name} gives it. */
        String name();

        Optimizer create(Bounds bounds, int objectives, long seed, Config settings);

        Optimizer restore(ObjectNode snapshot);
    }

    private static final Registry<Factory> FACTORIES = new Registry<>(
            "algorithm",
            Factory.class,
            Factory::name,
            SearchException::new,
            List.of(
                    new CmaEs.Factory(),
                    new DifferentialEvolution.Factory(),
                    new GeneticAlgorithm.Factory(),
                    new Nsga2.Factory(),
                    new RandomSearch.Factory()));

    private Optimizers() {}

    /**
     * Adds an algorithm under {@link Factory#name()} for every later run in this JVM.
     *
     * @throws SearchException when the name is taken by another factory
     */
    public static void register(Factory factory) {
        FACTORIES.register(factory);
    }

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
        return Collections.unmodifiableSet(new TreeSet<>(FACTORIES.names()));
    }

    private static Factory factory(String name) {
        return FACTORIES.get(name);
    }
}
