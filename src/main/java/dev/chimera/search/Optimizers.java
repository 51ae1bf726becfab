package dev.chimera.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Creates optimizers by name with their settings (HOCON; absent keys take the algorithm's documented defaults) and
 * restores them from snapshots. The built-in algorithms register one {@link Factory} line below; a jar on the class
 * path adds its own by listing {@link Factory} classes (public, no-argument constructor) in
 * {@code META-INF/services/dev.chimera.search.Optimizers$Factory} (found with {@link ServiceLoader} on first use), and
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

    private static final Map<String, Factory> FACTORIES = new TreeMap<>();
    private static boolean pluginsLoaded;

    static {
        // one line per built-in algorithm
        for (Factory f : List.of(
                new GeneticAlgorithm.Factory(),
                new Nsga2.Factory(),
                new CmaEs.Factory(),
                new DifferentialEvolution.Factory(),
                new RandomSearch.Factory())) {
            FACTORIES.put(f.name(), f);
        }
    }

    private Optimizers() {}

    /**
     * Adds an algorithm under {@link Factory#name()} for every later run in this JVM.
     *
     * @throws SearchException when the name is taken by another factory
     */
    public static synchronized void register(Factory factory) {
        loadPlugins();
        add(factory, "registered in code");
    }

    private static void add(Factory factory, String origin) {
        String name = factory.name();
        Factory existing = FACTORIES.get(name);
        if (existing == factory) {
            return;
        }
        if (name == null || !name.matches("[A-Za-z0-9_\\-]+")) {
            throw new SearchException("optimizer factory " + factory.getClass().getName() + " (" + origin
                    + ") has no usable name: '" + name + "'");
        }
        if (existing != null) {
            throw new SearchException(
                    "algorithm '" + name + "' of " + factory.getClass().getName() + " (" + origin + ") is taken by "
                            + existing.getClass().getName());
        }
        FACTORIES.put(name, factory);
    }

    private static void loadPlugins() {
        if (pluginsLoaded) {
            return;
        }
        pluginsLoaded = true;
        try {
            for (Factory f : ServiceLoader.load(Factory.class, Optimizers.class.getClassLoader())) {
                add(f, "a plugin on the class path");
            }
        } catch (ServiceConfigurationError e) {
            throw new SearchException("an optimizer plugin on the class path cannot be loaded: " + e.getMessage(), e);
        }
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

    public static synchronized Set<String> names() {
        loadPlugins();
        return Collections.unmodifiableSet(new TreeSet<>(FACTORIES.keySet()));
    }

    private static synchronized Factory factory(String name) {
        loadPlugins();
        Factory f = FACTORIES.get(name);
        if (f == null) {
            throw new SearchException(
                    "unknown algorithm '" + name + "' (known: " + String.join(", ", FACTORIES.keySet()) + ")");
        }
        return f;
    }
}
