package dev.chimera.merge.method;

import dev.chimera.Registry;
import java.util.List;
import java.util.Map;

/**
 * The registry of merge methods by name: mergekit's methods (built in, listed below), plus every {@link MergeMethod}
 * a jar on the class path lists in {@code META-INF/services/dev.chimera.merge.method.MergeMethod} (a public class with
 * a public no-argument constructor; found with {@link java.util.ServiceLoader} on first use, so a plugin jar on every node's
 * class path makes the method known on every node of a cluster), plus those given to {@link #register}. A method's
 * name must be new: built-in names cannot be replaced, and two plugins with one name are refused.
 *
 * <p>Thread-safe. Methods must be stateless: one instance merges tensors on several threads at once.
 */
public final class MergeMethods {
    private static final Registry<MergeMethod> METHODS = new Registry<>(
            "merge method",
            MergeMethod.class,
            MergeMethod::name,
            MergeException::new,
            List.of(
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
                    new RamMerge(true)));

    private MergeMethods() {}

    /**
     * Adds a method under its {@link MergeMethod#name()}, for every later merge in this JVM (a config names it with
     * {@code merge_method}). Registering the same instance again does nothing.
     *
     * @throws MergeException when the name is taken by another method
     */
    public static void register(MergeMethod method) {
        METHODS.register(method);
    }

    /** The method of this name. */
    public static MergeMethod get(String name) {
        return METHODS.get(name);
    }

    /** Every method by name: the built-in ones first, in mergekit's order, then plugins and registered ones. */
    public static Map<String, MergeMethod> all() {
        return METHODS.all();
    }
}
