package dev.chimera;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One extension point's registry by name (merge methods, optimizers, estimators, item selections): the built-in
 * entries, every implementation of {@code type} a jar on the class path lists in
 * {@code META-INF/services/<type's binary name>} (public, no-argument constructor; looked up with
 * {@link ServiceLoader} on first use, so a plugin jar on every node makes the entry known on every node of a
 * cluster), and entries given to {@link #register}. Names must be new: a built-in cannot be replaced and two
 * entries with one name are refused, naming both classes. Thread-safe.
 *
 * @param <T> the extension point's interface
 */
public final class Registry<T> {
    private final String what;
    private final Class<T> type;
    private final Function<T, String> nameOf;
    private final BiFunction<String, Throwable, RuntimeException> error;
    private final Map<String, T> entries = new LinkedHashMap<>();
    private final Set<String> builtIn = new HashSet<>();
    private boolean pluginsLoaded;

    /**
     * @param what     what an entry is called in messages, e.g. "merge method"
     * @param type     the interface plugins implement (their service file's name)
     * @param nameOf   an entry's name
     * @param error    the package's exception for a message (and cause, possibly null)
     * @param builtIns the built-in entries, in the order names are listed
     */
    public Registry(
            String what,
            Class<T> type,
            Function<T, String> nameOf,
            BiFunction<String, Throwable, RuntimeException> error,
            List<? extends T> builtIns) {
        this.what = what;
        this.type = type;
        this.nameOf = nameOf;
        this.error = error;
        for (T t : builtIns) {
            add(t, "built in");
            builtIn.add(nameOf.apply(t));
        }
    }

    /** Adds an entry under its name for every later use in this JVM; the same instance again is no clash. */
    public synchronized void register(T entry) {
        loadPlugins();
        add(entry, "registered in code");
    }

    /** The entry of this name; the message lists the known names. */
    public synchronized T get(String name) {
        return find(name)
                .orElseThrow(() -> error.apply(
                        "unknown " + what + " '" + name + "' (known: " + String.join(", ", entries.keySet()) + ")",
                        null));
    }

    /** The entry of this name, if any. */
    public synchronized Optional<T> find(String name) {
        loadPlugins();
        return Optional.ofNullable(entries.get(name));
    }

    /** Every name: the built-in ones first, then plugins and registered ones. */
    public synchronized List<String> names() {
        loadPlugins();
        return List.copyOf(entries.keySet());
    }

    /** Every entry by name, in {@link #names()} order. */
    public synchronized Map<String, T> all() {
        loadPlugins();
        return Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    private void add(T entry, String origin) {
        String name = nameOf.apply(entry);
        if (name == null || !name.matches("[A-Za-z0-9_\\-]+")) {
            throw error.apply(
                    what + " " + entry.getClass().getName() + " (" + origin + ") has no usable name: '" + name
                            + "' (letters, digits, '_' and '-')",
                    null);
        }
        T existing = entries.get(name);
        if (existing == entry) {
            return;
        }
        if (existing != null) {
            throw error.apply(
                    what + " '" + name + "' of " + entry.getClass().getName() + " (" + origin + ") is taken by "
                            + (builtIn.contains(name)
                                    ? "a built-in " + what
                                    : existing.getClass().getName()),
                    null);
        }
        entries.put(name, entry);
    }

    private void loadPlugins() {
        if (pluginsLoaded) {
            return;
        }
        pluginsLoaded = true;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            for (T t : ServiceLoader.load(type, loader != null ? loader : type.getClassLoader())) {
                add(t, "a plugin on the class path");
            }
        } catch (ServiceConfigurationError e) {
            throw error.apply("a " + what + " plugin on the class path cannot be loaded: " + e.getMessage(), e);
        }
    }
}
