package dev.chimera.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Checks of the {@link Optimizer} contract that hold for every algorithm: snapshot/restore through JSON text is
 * bit-exact (in-flight candidates included), tell order does not change the trajectory, duplicate and unknown tells
 * are ignored, ask honours its maximum and never repeats a candidate, a partially told generation still hands out
 * its remaining candidates, candidates stay inside the bounds. Shared by the algorithms' tests; add checks, do not
 * change existing signatures.
 */
final class OptimizerContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** [-1, 1]^4, the box of {@link #CORNER}. */
    static final Bounds CORNER_BOX = Bounds.uniform(4, -1, 1);

    /**
     * Maximise -sum (x - 2)^2 on {@link #CORNER_BOX}: the optimum is the corner (1, 1, 1, 1), with value -4, so the
     * bounds are active and candidates are clipped or repaired often.
     */
    static final Function<double[], double[]> CORNER = x -> {
        double s = 0;
        for (double v : x) {
            s += (v - 2) * (v - 2);
        }
        return new double[] {-s};
    };

    private OptimizerContract() {}

    /**
     * The checks every algorithm passes, as JUnit tests: an algorithm's test class extends this with its optimizer
     * (made fresh for each check), a function to tell, how many candidates a coordinator asks at a time, the budget
     * of the concurrent check, and the evaluation counts after which {@link #restoreIsBitExact} interrupts the run.
     */
    abstract static class Checks {
        private final Supplier<Optimizer> make;
        private final Function<double[], double[]> f;
        private final int chunk;
        private final long concurrentBudget;
        private final long[] cuts;

        Checks(
                Supplier<Optimizer> make,
                Function<double[], double[]> f,
                int chunk,
                long concurrentBudget,
                long... cuts) {
            this.make = make;
            this.f = f;
            this.chunk = chunk;
            this.concurrentBudget = concurrentBudget;
            this.cuts = cuts;
        }

        @Test
        void restoreThroughJsonIsBitExact() {
            restoreIsBitExact(make, f, chunk, 300, cuts);
        }

        @Test
        void tellOrderDoesNotChangeTheTrajectory() {
            tellOrderDoesNotMatter(make, f, chunk, 240);
        }

        @Test
        void duplicateAndUnknownTellsAreIgnored() {
            badTellsAreIgnored(make, f);
        }

        @Test
        void concurrentTellsAreDeterministic() {
            OptimizerContract.concurrentTellsAreDeterministic(make, f, concurrentBudget, 4);
        }
    }

    /** How a {@link Session} picks the next pending candidate to tell. */
    enum Order {
        FIFO,
        LIFO,
        RANDOM
    }

    /**
     * A coordinator: asks up to {@code chunk} candidates whenever it tells one, keeps the handed-out candidates
     * pending, tells them in the given order. The optimizer can be swapped (restore) while candidates are pending.
     */
    static final class Session {
        Optimizer opt;
        final Function<double[], double[]> f;
        final int chunk;
        final Order order;
        final Random random;
        final List<Candidate> pending = new ArrayList<>();
        final List<Candidate> asked = new ArrayList<>();
        final List<Evaluation> told = new ArrayList<>();
        private final Set<Long> ids = new HashSet<>();

        Session(Optimizer opt, Function<double[], double[]> f, int chunk, Order order, long seed) {
            this.opt = opt;
            this.f = f;
            this.chunk = chunk;
            this.order = order;
            this.random = new Random(seed);
        }

        /** Asks (up to chunk), then tells one pending candidate. */
        void step() {
            List<Candidate> more = opt.ask(chunk);
            assertTrue(more.size() <= chunk, "ask(" + chunk + ") returned " + more.size());
            for (Candidate c : more) {
                assertTrue(ids.add(c.id()), opt.name() + " handed out id " + c.id() + " twice");
                assertTrue(opt.bounds().contains(c.genes()), opt.name() + " candidate outside bounds: " + c);
                assertEquals(opt.bounds().dimension(), c.dimension());
            }
            asked.addAll(more);
            pending.addAll(more);
            if (pending.isEmpty()) {
                throw new AssertionError(opt.name() + " handed out nothing although nothing is pending");
            }
            int i = switch (order) {
                case FIFO -> 0;
                case LIFO -> pending.size() - 1;
                case RANDOM -> random.nextInt(pending.size());
            };
            Candidate c = pending.remove(i);
            double[] y = f.apply(c.genes());
            assertTrue(opt.tell(c.id(), y), opt.name() + " refused a first tell of " + c.id());
            told.add(new Evaluation(c, y));
        }

        Session runUntil(long evaluations) {
            while (opt.evaluations() < evaluations) {
                step();
            }
            return this;
        }

        /** Asked candidates by id (the trajectory, independent of tell order). */
        List<Candidate> trajectory() {
            List<Candidate> t = new ArrayList<>(asked);
            t.sort(Comparator.comparingLong(Candidate::id));
            return t;
        }
    }

    /** Snapshot to JSON text and back, as a checkpoint would. */
    static Optimizer roundTrip(Optimizer opt) {
        try {
            String text = JSON.writeValueAsString(opt.snapshot());
            return Optimizers.restore((ObjectNode) JSON.readTree(text));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String text(Optimizer opt) {
        try {
            return JSON.writeValueAsString(opt.snapshot());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Interrupting a run after each of {@code cuts} evaluations (with candidates in flight), restoring from JSON text
     * and continuing gives exactly the uninterrupted run: same candidates, same best, same final state.
     */
    static void restoreIsBitExact(
            Supplier<Optimizer> make, Function<double[], double[]> f, int chunk, long budget, long... cuts) {
        Session whole = new Session(make.get(), f, chunk, Order.RANDOM, 7).runUntil(budget);
        for (long cut : cuts) {
            Session s = new Session(make.get(), f, chunk, Order.RANDOM, 7).runUntil(cut);
            String before = text(s.opt);
            s.opt = roundTrip(s.opt);
            assertEquals(before, text(s.opt), "snapshot of the restored optimizer differs");
            assertEquals(cut, s.opt.evaluations());
            s.runUntil(budget);
            assertSameCandidates(whole.asked, s.asked);
            assertEquals(whole.opt.best(), s.opt.best());
            assertEquals(whole.opt.generation(), s.opt.generation());
            assertEquals(text(whole.opt), text(s.opt), "state after restore at " + cut + " and continuing differs");
        }
    }

    /** The trajectory is the same whatever order results are told in. */
    static void tellOrderDoesNotMatter(
            Supplier<Optimizer> make, Function<double[], double[]> f, int chunk, long budget) {
        Session fifo = new Session(make.get(), f, chunk, Order.FIFO, 1).runUntil(budget);
        Session lifo = new Session(make.get(), f, chunk, Order.LIFO, 1).runUntil(budget);
        Session rnd = new Session(make.get(), f, chunk, Order.RANDOM, 2).runUntil(budget);
        Session all = new Session(make.get(), f, Integer.MAX_VALUE, Order.RANDOM, 3).runUntil(budget);
        List<Candidate> ref = fifo.trajectory();
        for (Session s : List.of(lifo, rnd, all)) {
            List<Candidate> t = s.trajectory();
            int n = Math.min(ref.size(), t.size());
            assertTrue(n >= budget, "trajectories too short");
            assertSameCandidates(ref.subList(0, n), t.subList(0, n));
            assertEquals(fifo.opt.generation(), s.opt.generation());
            assertEquals(fifo.opt.best(), s.opt.best());
        }
    }

    /** Tells of unknown, not yet handed out, or already told ids return false and leave the state as it was. */
    static void badTellsAreIgnored(Supplier<Optimizer> make, Function<double[], double[]> f) {
        Optimizer opt = make.get();
        List<Candidate> first = opt.ask(2);
        assertEquals(2, first.size());
        double[] y0 = f.apply(first.get(0).genes());
        String fresh = text(opt);
        assertFalse(opt.tell(first.get(1).id() + 1, y0), "tell of an id not handed out yet");
        assertFalse(opt.tell(-1, y0), "tell of a negative id");
        assertFalse(opt.tell(Long.MAX_VALUE, y0), "tell of an unknown id");
        assertEquals(fresh, text(opt));
        assertTrue(opt.tell(first.get(0).id(), y0));
        String told = text(opt);
        assertFalse(opt.tell(first.get(0).id(), y0), "duplicate tell");
        assertFalse(opt.tell(first.get(0).id(), f.apply(first.get(1).genes())), "duplicate tell, other values");
        assertEquals(told, text(opt));
        assertEquals(1, opt.evaluations());
        // run on past a generation: ids of finished generations are rejected too
        Session s = new Session(opt, f, Integer.MAX_VALUE, Order.FIFO, 0);
        s.pending.add(first.get(1));
        s.runUntil(opt.evaluations() + 200);
        String later = text(opt);
        long evals = opt.evaluations();
        assertFalse(opt.tell(first.get(1).id(), y0));
        assertFalse(opt.tell(s.told.get(s.told.size() - 1).candidate().id(), y0));
        assertEquals(later, text(opt));
        assertEquals(evals, opt.evaluations());
    }

    /** ask(max) returns at most max (none for max <= 0), never repeats, and a partially told generation still asks. */
    static void askHonoursMax(Supplier<Optimizer> make, Function<double[], double[]> f) {
        Optimizer opt = make.get();
        assertTrue(opt.ask(0).isEmpty());
        assertTrue(opt.ask(-3).isEmpty());
        List<Candidate> a = opt.ask(3);
        assertEquals(3, a.size());
        for (Candidate c : a.subList(0, 2)) {
            assertTrue(opt.tell(c.id(), f.apply(c.genes())));
        }
        List<Candidate> b = opt.ask(1);
        assertEquals(1, b.size(), "a partially told generation must still hand out its remaining candidates");
        List<Candidate> rest = opt.ask(Integer.MAX_VALUE);
        Set<Long> ids = new HashSet<>();
        for (List<Candidate> l : List.of(a, b, rest)) {
            for (Candidate c : l) {
                assertTrue(ids.add(c.id()), "repeated id " + c.id());
            }
        }
    }

    /**
     * Generation by generation: ask(max) hands out the whole generation, of the given size, at once and nothing more
     * until it is told; telling all of it completes one generation.
     */
    static void generationsAreAskedWhole(Supplier<Optimizer> make, Function<double[], double[]> f, int... sizes) {
        Optimizer opt = make.get();
        for (int g = 0; g < sizes.length; g++) {
            List<Candidate> all = opt.ask(Integer.MAX_VALUE);
            assertEquals(sizes[g], all.size(), "generation " + g + " at once");
            assertTrue(opt.ask(Integer.MAX_VALUE).isEmpty(), "nothing more before generation " + g + " is told");
            for (Candidate c : all) {
                assertTrue(opt.tell(c.id(), f.apply(c.genes())));
            }
            assertEquals(g + 1, opt.generation());
        }
    }

    /**
     * What {@code algorithm} rejects: with SearchException, creation with each of the {@code bad} settings
     * (HOCON) or with {@code badObjectives} objectives; with IllegalArgumentException, a tell with one value too few or too many. It is
     * registered under its name.
     */
    static void rejectsBadInput(String algorithm, Bounds bounds, int objectives, int badObjectives, String... bad) {
        for (String settings : bad) {
            assertThrows(
                    SearchException.class,
                    () -> Optimizers.create(algorithm, bounds, objectives, 1, ConfigFactory.parseString(settings)),
                    settings);
        }
        assertThrows(SearchException.class, () -> Optimizers.create(algorithm, bounds, badObjectives, 1));
        Optimizer opt = Optimizers.create(algorithm, bounds, objectives, 1);
        Candidate c = opt.ask(1).get(0);
        assertThrows(IllegalArgumentException.class, () -> opt.tell(c.id(), new double[objectives - 1]));
        assertThrows(IllegalArgumentException.class, () -> opt.tell(c.id(), new double[objectives + 1]));
        assertTrue(Optimizers.names().contains(algorithm));
    }

    static void assertSameCandidates(List<Candidate> expected, List<Candidate> actual) {
        List<Candidate> e = new ArrayList<>(expected);
        List<Candidate> a = new ArrayList<>(actual);
        e.sort(Comparator.comparingLong(Candidate::id));
        a.sort(Comparator.comparingLong(Candidate::id));
        int n = Math.min(e.size(), a.size());
        assertTrue(n > 0);
        for (int i = 0; i < n; i++) {
            assertEquals(e.get(i), a.get(i), "candidate #" + i + " differs");
        }
    }

    /**
     * Results told from several threads at once (each one twice, racing) give the trajectory of single-threaded
     * tells, and exactly one of each pair of racing tells is accepted.
     */
    static void concurrentTellsAreDeterministic(
            Supplier<Optimizer> make, Function<double[], double[]> f, long budget, int threads) {
        Session ref = new Session(make.get(), f, Integer.MAX_VALUE, Order.FIFO, 0).runUntil(budget);
        Optimizer opt = make.get();
        List<Candidate> asked = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            while (opt.evaluations() < budget) {
                List<Candidate> batch = opt.ask(Integer.MAX_VALUE);
                if (batch.isEmpty()) {
                    throw new AssertionError(opt.name() + " handed out nothing although nothing is pending");
                }
                asked.addAll(batch);
                AtomicInteger accepted = new AtomicInteger();
                List<Future<?>> done = new ArrayList<>();
                for (Candidate c : batch) {
                    double[] y = f.apply(c.genes());
                    for (int k = 0; k < 2; k++) {
                        done.add(pool.submit(() -> {
                            if (opt.tell(c.id(), y)) {
                                accepted.incrementAndGet();
                            }
                        }));
                    }
                }
                for (Future<?> d : done) {
                    d.get();
                }
                assertEquals(batch.size(), accepted.get(), "each of two racing tells must be accepted exactly once");
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
        assertSameCandidates(ref.asked, asked);
    }

    /**
     * Whole generations told by {@code threads} plain threads, each telling every {@code threads}-th candidate, end
     * in exactly the snapshot of the same generations told one by one in id order.
     */
    static void threadedGenerationsMatchSequential(
            Supplier<Optimizer> make, Function<double[], double[]> f, int generations, int threads) {
        Optimizer seq = make.get();
        Optimizer par = make.get();
        for (int g = 0; g < generations; g++) {
            List<Candidate> a = seq.ask(Integer.MAX_VALUE);
            List<Candidate> b = par.ask(Integer.MAX_VALUE);
            assertEquals(a, b);
            for (Candidate c : a) {
                seq.tell(c.id(), f.apply(c.genes()));
            }
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int k = t;
                running.add(new Thread(() -> {
                    for (int i = k; i < b.size(); i += threads) {
                        par.tell(b.get(i).id(), f.apply(b.get(i).genes()));
                    }
                }));
            }
            running.forEach(Thread::start);
            for (Thread th : running) {
                try {
                    th.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }
        assertEquals(text(seq), text(par));
    }

    /**
     * Evaluations until the first value below {@code target} of the minimisation function {@code f} (told as -f),
     * evaluating each asked batch in id order as a sequential optimizer would; -1 if {@code budget} runs out.
     */
    static long evaluationsToTarget(Optimizer opt, ToDoubleFunction<double[]> f, double target, long budget) {
        while (opt.evaluations() < budget) {
            List<Candidate> batch = opt.ask(Integer.MAX_VALUE);
            if (batch.isEmpty()) {
                throw new AssertionError(opt.name() + " handed out nothing although nothing is pending");
            }
            for (Candidate c : batch) {
                double v = f.applyAsDouble(c.genes());
                assertTrue(opt.tell(c.id(), new double[] {-v}));
                if (v < target) {
                    return opt.evaluations();
                }
            }
        }
        return -1;
    }

    /**
     * {@link #evaluationsToTarget(Optimizer, java.util.function.ToDoubleFunction, double, long)} for {@code count}
     * seeds from {@code firstSeed}; every run must reach the target.
     */
    static double[] evaluationsToTarget(
            LongFunction<Optimizer> make,
            ToDoubleFunction<double[]> f,
            double target,
            long budget,
            long firstSeed,
            int count) {
        double[] evals = new double[count];
        for (int i = 0; i < count; i++) {
            Optimizer opt = make.apply(firstSeed + i);
            long e = evaluationsToTarget(opt, f, target, budget);
            assertTrue(
                    e > 0,
                    opt.name() + " seed " + (firstSeed + i) + " did not reach " + target + " in " + budget
                            + " evaluations (best " + opt.best().get(0).objective(0) + ")");
            evals[i] = e;
        }
        return evals;
    }

    /**
     * The lowest value of the minimisation function {@code f} found in {@code budget} evaluations (driven by
     * {@link Drive#run}), for {@code count} seeds from {@code firstSeed}.
     */
    static double[] bestAfter(
            LongFunction<Optimizer> make, ToDoubleFunction<double[]> f, long budget, long firstSeed, int count) {
        double[] best = new double[count];
        for (int i = 0; i < count; i++) {
            Optimizer opt = make.apply(firstSeed + i);
            Drive.run(opt, Drive.minimize(f), budget, e -> false);
            best[i] = -opt.best().get(0).objective(0);
        }
        return best;
    }

    /** Median of the values (mean of the two middle ones for an even count). */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }
}
