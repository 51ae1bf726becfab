package dev.chimera.search;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/** Drives an optimizer on a function until a budget or target, as a coordinator would. */
final class Drive {
    private Drive() {}

    /**
     * Asks for everything available, evaluates, tells (in reverse id order, to exercise out-of-order tells), until
     * {@code budget} evaluations or until {@code stop} says so. Returns the evaluations in tell order.
     */
    static List<Evaluation> run(
            Optimizer opt, Function<double[], double[]> objectives, long budget, Predicate<Evaluation> stop) {
        List<Evaluation> all = new ArrayList<>();
        while (opt.evaluations() < budget) {
            List<Candidate> batch = opt.ask(Integer.MAX_VALUE);
            if (batch.isEmpty()) {
                throw new AssertionError(opt.name() + " asked for nothing although no evaluation is pending");
            }
            for (int i = batch.size() - 1; i >= 0; i--) {
                Candidate c = batch.get(i);
                double[] y = objectives.apply(c.genes());
                opt.tell(c.id(), y);
                Evaluation e = new Evaluation(c, y);
                all.add(e);
                if (stop.test(e) || opt.evaluations() >= budget) {
                    return all;
                }
            }
        }
        return all;
    }

    /** Maximisation objective of a minimisation function. */
    static Function<double[], double[]> minimize(ToDoubleFunction<double[]> f) {
        return x -> new double[] {-f.applyAsDouble(x)};
    }
}
