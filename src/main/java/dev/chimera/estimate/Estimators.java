package dev.chimera.estimate;

import dev.chimera.Registry;
import java.util.List;
import java.util.Map;

/**
 * The registry of accuracy estimators by name: the built-in ones (tinyBenchmarks' and Mergenetic's, documented on
 * {@link AccuracyEstimator}), every {@link EstimatorMethod} a jar lists in
 * {@code META-INF/services/dev.chimera.estimate.EstimatorMethod} (found on first use), and those given to
 * {@link #register}. Names must be new. Thread-safe.
 */
public final class Estimators {
    private static final Registry<EstimatorMethod> METHODS = new Registry<>(
            "estimator",
            EstimatorMethod.class,
            EstimatorMethod::name,
            EstimateException::new,
            List.of(
                    named("mean", (e, y, p) -> e.mean(y)),
                    named("weighted", (e, y, p) -> e.weighted(y)),
                    named("irt", (e, y, p) -> e.weighted(y)), // tinyBenchmarks' "IRT": the anchor-weighted mean
                    named("irt-model", (e, y, p) -> e.irtModel(y)),
                    named("pirt", (e, y, p) -> e.pirt(y)),
                    named("gpirt", (e, y, p) -> e.gpirt(y)),
                    named("mpirt", (e, y, p) -> e.mpirt(y, p)),
                    named("gmpirt", (e, y, p) -> {
                        double g = e.options().gmpirtWeight();
                        return g * e.weighted(y) + (1 - g) * e.mpirt(y, p);
                    }),
                    named("gmpirt-auto", (e, y, p) -> {
                        double g = e.gpirtLambda();
                        return g * e.weighted(y) + (1 - g) * e.mpirt(y, p);
                    })));

    private Estimators() {}

    /** Adds an estimator under its name for every later use in this JVM; a taken name is refused. */
    public static void register(EstimatorMethod method) {
        METHODS.register(method);
    }

    /** The estimator of this name. */
    public static EstimatorMethod get(String name) {
        return METHODS.get(name);
    }

    /** Every name, built-in ones first. */
    public static List<String> names() {
        return METHODS.names();
    }

    /** Every estimator by name. */
    public static Map<String, EstimatorMethod> all() {
        return METHODS.all();
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
}
