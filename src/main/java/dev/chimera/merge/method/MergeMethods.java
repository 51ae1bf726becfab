package dev.chimera.merge.method;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The registry of merge methods by name: mergekit's methods (built in, listed below), plus every {@link MergeMethod}
 * a jar on the class path lists in {@code META-INF/services/dev.chimera.merge.method.MergeMethod} (a public class with
 * a public no-argument constructor; found with {@link ServiceLoader} on first use, so a plugin jar on every node's
 * class path makes the method known on every node of a cluster), plus those given to {@link #register}. A method's
 * name must be new: built-in names cannot be replaced, and two plugins with one name are refused.
 *
 * <p>Thread-safe. Methods must be stateless: one instance merges tensors on several threads at once.
 */
public final class MergeMethods {
    private static final Map<String, MergeMethod> METHODS = new LinkedHashMap<>();
    private static final Set<String> BUILT_IN = new HashSet<>();
    private static boolean pluginsLoaded;

    static {
        for (MergeMethod m : List.of(
                new LinearMerge(),
                // the task-vector family: name, sparsifier, sign consensus, normalize default, rescale default
                new TaskVectorMerge("task_arithmetic", null, false, false, false),
                new TaskVectorMerge("ties", Sparsifier.MAGNITUDE, true, true, false),
                new TaskVectorMerge("dare_ties", Sparsifier.RANDOM, true, false, true),
                new TaskVectorMerge("dare_linear", Sparsifier.RANDOM, false, false, true),
                new TaskVectorMerge("breadcrumbs", Sparsifier.MAGNITUDE_OUTLIERS, false, false, false),
                new TaskVectorMerge("breadcrumbs_ties", Sparsifier.MAGNITUDE_OUTLIERS, true, false, false),
                new TaskVectorMerge("della", Sparsifier.DELLA_MAGPRUNE, true, true, true),
                new TaskVectorMerge("della_linear", Sparsifier.DELLA_MAGPRUNE, false, false, true),
                new SlerpMerge(),
                new NuSlerpMerge(),
                new MultiSlerpMerge(),
                new KarcherMerge(),
                new ModelStockMerge(),
                new SceMerge(),
                new NearSwapMerge(),
                new PassthroughMerge(),
                new ArceeFusionMerge(),
                new RamMerge(false),
                new RamMerge(true))) {
            METHODS.put(m.name(), m);
            BUILT_IN.add(m.name());
        }
    }

    private MergeMethods() {}

    /**
     * Adds a method under its {@link MergeMethod#name()}, for every later merge in this JVM (a config names it with
     * {@code merge_method}). Registering the same instance again does nothing.
     *
     * @throws MergeException when the name is taken by another method
     */
    public static synchronized void register(MergeMethod method) {
        loadPlugins();
        add(method, "registered in code");
    }

    /** The method of this name. */
    public static synchronized MergeMethod get(String name) {
        loadPlugins();
        MergeMethod m = METHODS.get(name);
        if (m == null) {
            throw new MergeException(
                    "unknown merge method '" + name + "' (known: " + String.join(", ", METHODS.keySet()) + ")");
        }
        return m;
    }

    /** Every method by name: the built-in ones first, in mergekit's order, then plugins and registered ones. */
    public static synchronized Map<String, MergeMethod> all() {
        loadPlugins();
        return Collections.unmodifiableMap(new LinkedHashMap<>(METHODS));
    }

    private static void add(MergeMethod method, String origin) {
        String name = method.name();
        if (name == null || !name.matches("[A-Za-z0-9_\\-]+")) {
            throw new MergeException("merge method " + method.getClass().getName() + " (" + origin
                    + ") has no usable name: '" + name + "' (letters, digits, '_' and '-')");
        }
        MergeMethod existing = METHODS.get(name);
        if (existing == method) {
            return;
        }
        if (existing != null) {
            throw new MergeException(
                    "merge method '" + name + "' of " + method.getClass().getName() + " (" + origin + ") is taken by "
                            + (BUILT_IN.contains(name)
                                    ? "a built-in method"
                                    : existing.getClass().getName()));
        }
        METHODS.put(name, method);
    }

    private static void loadPlugins() {
        if (pluginsLoaded) {
            return;
        }
        pluginsLoaded = true;
        try {
            for (MergeMethod m : ServiceLoader.load(MergeMethod.class, MergeMethods.class.getClassLoader())) {
                add(m, "a plugin on the class path");
            }
        } catch (ServiceConfigurationError e) {
            throw new MergeException("a merge method plugin on the class path cannot be loaded: " + e.getMessage(), e);
        }
    }
}
