package dev.chimera.merge.arch;

import dev.chimera.merge.method.MergeException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensor layout of a family of models (mergekit's {@code ModelArchitecture}): the {@code architectures} class
 * names of config.json it covers, and its modules in order. Merging needs only names and layer indices, so any
 * architecture with a definition can be merged, while inference stays with the Llama family.
 *
 * @param name       the family's name (the definition file's name)
 * @param classNames config.json {@code architectures} entries this definition covers
 * @param modules    modules by name, in order
 * @param source     where the definition was read (a resource, a file, or "inferred from ...")
 */
public record Architecture(String name, List<String> classNames, Map<String, ModuleDef> modules, String source) {
    public Architecture {
        classNames = List.copyOf(classNames);
        modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
        if (modules.isEmpty()) {
            throw new MergeException("architecture " + name + " (" + source + ") has no modules");
        }
    }

    /** A module by name; the message lists the architecture's modules. */
    public ModuleDef module(String moduleName) {
        ModuleDef m = modules.get(moduleName);
        if (m == null) {
            throw new MergeException("architecture " + name + " has no module '" + moduleName + "' (it has "
                    + String.join(", ", modules.keySet()) + ")");
        }
        return m;
    }

    /** The module whose layers a search space groups: the first one with layers (the text decoder). */
    public ModuleDef mainModule() {
        for (ModuleDef m : modules.values()) {
            if (m.layersKey() != null) {
                return m;
            }
        }
        return modules.values().iterator().next();
    }
}
