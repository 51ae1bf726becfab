package dev.chimera.engine.work;

import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.run.RunSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark functions of fixed cost instead of merges and evaluations: for testing and benchmarking the engine
 * itself (protocol, fault tolerance, overhead, scaling), where a real candidate would hide the engine's cost.
 * Each objective is maximised: {@code sphere} = -sum (x_i - c)^2, {@code rastrigin} = -(10 n + sum (y_i^2 - 10
 * cos(2 pi y_i))) with y = x - c. The costs (the genome's {@code build-cost}, each objective's {@code cost}) are spent
 * waiting, like a GPU kernel the host thread waits on.
 */
public final class SyntheticWorkload implements Workload {
    private final List<RunSpec.ObjectiveSpec> objectives;
    private final long buildNanos;
    private final RunSetup setup;

    /** For runs whose objectives have no items (the function's value is the objective). */
    public SyntheticWorkload(RunSpec spec) {
        this(spec, null);
    }

    /** {@code setup} gives the items of objectives that have them ({@code items = K}). */
    public SyntheticWorkload(RunSpec spec, RunSetup setup) {
        this.setup = setup;
        for (RunSpec.ObjectiveSpec o : spec.objectives()) {
            if (!o.isSynthetic()) {
                throw new IllegalArgumentException("objective " + o.name() + " is not synthetic");
            }
        }
        this.objectives = spec.objectives();
        this.buildNanos = spec.genome().buildCost() == null
                ? 0
                : spec.genome().buildCost().toNanos();
    }

    @Override
    public Built build(double[] genes) {
        double[] g = genes.clone();
        spend(buildNanos);
        return new Built() {
            @Override
            public double[] genes() {
                return g.clone();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public Outcome evaluate(Built candidate, int from, int rung) {
        double[] x = candidate.genes();
        double[] out = new double[objectives.size()];
        Map<String, Map<String, Integer>> answers = new LinkedHashMap<>();
        long costNanos = 0;
        for (int i = 0; i < out.length; i++) {
            RunSpec.ObjectiveSpec o = objectives.get(i);
            double v = value(o.synthetic(), o.center(), x);
            if (o.items() > 0) {
                if (setup == null) {
                    throw new IllegalStateException(
                            "objective " + o.name() + " has items but the workload has no run setup");
                }
                List<String> slice = setup.slice(o.name(), from, rung);
                Map<String, Integer> y = new LinkedHashMap<>();
                int correct = 0;
                for (String item : slice) {
                    int c = answer(v, item, x);
                    y.put(item, c);
                    correct += c;
                }
                answers.put(o.name(), y);
                out[i] = slice.isEmpty() ? 0 : (double) correct / slice.size();
            } else {
                out[i] = v;
            }
            costNanos += o.cost().toNanos();
        }
        spend(costNanos);
        return new Outcome(out, answers);
    }

    /**
     * A synthetic item's answer: item {@code i} has a difficulty d (uniform in [0, 1), fixed by its id) and is
     * answered correctly when the candidate's ability 1 / (1 + |value|) plus a per-(item, candidate) noise in
     * [-0.15, 0.15) exceeds d. So accuracy over many items tracks the function, candidates close together answer
     * mostly the same items (as merges near each other do), and a few items give a noisy estimate.
     */
    static int answer(double value, String item, double[] genes) {
        double ability = 1 / (1 + Math.abs(value));
        long h = item.hashCode() * 0x9E3779B97F4A7C15L;
        double difficulty = unit(mix(h));
        long g = h;
        for (double x : genes) {
            g = mix(g ^ Double.doubleToLongBits(x));
        }
        double noise = 0.3 * (unit(mix(g)) - 0.5);
        return ability + noise > difficulty ? 1 : 0;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double unit(long z) {
        return (z >>> 11) * 0x1.0p-53;
    }

    static double value(String function, double c, double[] x) {
        double s = 0;
        switch (function) {
            case "sphere" -> {
                for (double v : x) {
                    s += (v - c) * (v - c);
                }
                return -s;
            }
            case "rastrigin" -> {
                s = 10.0 * x.length;
                for (double v : x) {
                    double y = v - c;
                    s += y * y - 10 * Math.cos(2 * Math.PI * y);
                }
                return -s;
            }
            default -> throw new IllegalArgumentException("unknown synthetic function " + function);
        }
    }

    private static void spend(long nanos) {
        long end = System.nanoTime() + nanos;
        try {
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {}
}
