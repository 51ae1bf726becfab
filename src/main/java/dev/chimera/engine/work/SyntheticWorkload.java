package dev.chimera.engine.work;

import dev.chimera.engine.run.RunSpec;

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

    public SyntheticWorkload(RunSpec spec) {
        for (RunSpec.ObjectiveSpec o : spec.objectives()) {
            if (!o.isSynthetic()) {
                throw new IllegalArgumentException("objective " + o.name() + " is not synthetic");
            }
        }
        this.objectives = spec.objectives();
        this.buildNanos = spec.genome().buildCost() == null ? 0 : spec.genome().buildCost().toNanos();
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
            public void close() {
            }
        };
    }

    @Override
    public Outcome evaluate(Built candidate) {
        double[] x = candidate.genes();
        double[] out = new double[objectives.size()];
        long costNanos = 0;
        for (int i = 0; i < out.length; i++) {
            RunSpec.ObjectiveSpec o = objectives.get(i);
            out[i] = value(o.synthetic(), o.center(), x);
            costNanos += o.cost().toNanos();
        }
        spend(costNanos);
        return new Outcome(out, Map.of());
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
    public void close() {
    }
}
