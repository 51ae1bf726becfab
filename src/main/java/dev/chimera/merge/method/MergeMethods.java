package dev.chimera.merge.method;

import dev.chimera.merge.MergeException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of merge methods by mergekit name. Adding a method: write its class, add one line here. */
public final class MergeMethods {
    private static final Map<String, MergeMethod> METHODS = new LinkedHashMap<>();

    static {
        for (MergeMethod m : List.of(new LinearMerge(), new TaskArithmeticMerge(), new TiesMerge(), new DareTiesMerge(),
                new DareLinearMerge(), new BreadcrumbsMerge(), new BreadcrumbsTiesMerge(), new DellaMerge(),
                new DellaLinearMerge(), new SlerpMerge(), new NuSlerpMerge(), new MultiSlerpMerge(), new KarcherMerge(),
                new ModelStockMerge(), new SceMerge(), new NearSwapMerge(), new PassthroughMerge(), new ArceeFusionMerge())) {
            METHODS.put(m.name(), m);
        }
    }

    private MergeMethods() {
    }

    public static MergeMethod get(String name) {
        MergeMethod m = METHODS.get(name);
        if (m == null) {
            throw new MergeException("unknown merge method '" + name + "' (known: " + String.join(", ", METHODS.keySet()) + ")");
        }
        return m;
    }

    public static Map<String, MergeMethod> all() {
        return Collections.unmodifiableMap(METHODS);
    }
}
