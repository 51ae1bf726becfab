package dev.chimera.estimate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.ToDoubleBiFunction;

/**
 * The registry of accuracy estimators by name: the built-in ones (tinyBenchmarks' and Mergenetic's, documented on
 * {@link AccuracyEstimator}), every {@link EstimatorMethod} a jar lists in
 * {@code META-INF/services/dev.chimera.estimate.EstimatorMethod} (found on first use), and those given to
 * {@link #register}. Names must be new. Thread-safe.
 */
public final class Estimators {
    private static final Map<String, EstimatorMethod> METHODS = new LinkedHashMap<>();
    private static boolean pluginsLoaded;

    static {
        builtIn("mean", (e, y) -> e.mean(y));
        builtIn("weighted", (e, y) -> e.weighted(y));
        builtIn("irt", (e, y) -> e.weighted(y)); // tinyBenchmarks' "IRT": the anchor-weighted mean
        builtIn("irt-model", (e, y) -> e.irtModel(y));
        builtIn("pirt", (e, y) -> e.pirt(y));
        builtIn("gpirt", (e, y) -> e.gpirt(y));
        add(named("mpirt", (e, y, p) -> e.mpirt(y, p)));
        add(named("gmpirt", (e, y, p) -> {
            double g = e.options().gmpirtWeight();
            return g * e.weighted(y) + (1 - g) * e.mpirt(y, p);
        }));
        add(named("gmpirt-auto", (e, y, p) -> {
            double g = e.gpirtLambda();
            return g * e.weighted(y) + (1 - g) * e.mpirt(y, p);
        }));
    }

    private Estimators() {}

    /** Adds an estimator under its name for every later use in this JVM; a taken name is refused. */
    public static synchronized void register(EstimatorMethod method) {
        loadPlugins();
        add(method);
    }

    /** The estimator of this name. */
    public static synchronized EstimatorMethod get(String name) {
        loadPlugins();
        EstimatorMethod m = METHODS.get(name);
        if (m == null) {
            throw new EstimateException(
                    "unknown estimator '" + name + "' (known: " + String.join(", ", METHODS.keySet()) + ")");
        }
        return m;
    }

    /** Every name, built-in ones first. */
    public static synchronized List<String> names() {
        loadPlugins();
        return List.copyOf(METHODS.keySet());
    }

    /** Every estimator by name. */
    public static synchronized Map<String, EstimatorMethod> all() {
        loadPlugins();
        return Collections.unmodifiableMap(new LinkedHashMap<>(METHODS));
    }

    private static void builtIn(String name, ToDoubleBiFunction<AccuracyEstimator, double[]> f) {
        add(named(name, (e, y, p) -> f.applyAsDouble(e, y)));
    }

    private interface Formula {
        double apply(AccuracyEstimator e, double[] y, double[][] parentThetas);
    }

    private static EstimatorMethod named(String name, Formula f) {
        return new EstimatorMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double estimate(AccuracyEstimator context, double[] y, double[][] parentThetas) {
                return f.apply(context, y, parentThetas);
            }
        };
    }

    private static void add(EstimatorMethod m) {
        EstimatorMethod existing = METHODS.get(m.name());
        if (existing == m) {
            return;
        }
        if (existing != null) {
            throw new EstimateException(
                    "estimator '" + m.name() + "' of " + m.getClass().getName() + " is taken by "
                            + existing.getClass().getName());
        }
        METHODS.put(m.name(), m);
    }

    private static void loadPlugins() {
        if (pluginsLoaded) {
            return;
        }
        pluginsLoaded = true;
        try {
            for (EstimatorMethod m : ServiceLoader.load(EstimatorMethod.class, Estimators.class.getClassLoader())) {
                add(m);
            }
        } catch (ServiceConfigurationError e) {
            throw new EstimateException("an estimator plugin on the class path cannot be loaded: " + e.getMessage(), e);
        }
    }
}
