package dev.chimera.merge.method;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of merge methods by mergekit name. Adding a method: write its class, add one line here. */
public final class MergeMethods {
    private static final Map<String, MergeMethod> METHODS = new LinkedHashMap<>();

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
        }
    }

    private MergeMethods() {}

    public static MergeMethod get(String name) {
        MergeMethod m = METHODS.get(name);
        if (m == null) {
            throw new MergeException(
                    "unknown merge method '" + name + "' (known: " + String.join(", ", METHODS.keySet()) + ")");
        }
        return m;
    }

    public static Map<String, MergeMethod> all() {
        return Collections.unmodifiableMap(METHODS);
    }
}
