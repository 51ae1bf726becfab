package dev.chimera.engine.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator's work bookkeeping as a pure value, after the {@code WorkState} of Pekko's distributed-workers
 * sample: the queue of jobs, the jobs in flight with their worker, attempt and start time, and every worker's free
 * pipeline slots. Each method returns the next value (and what the coordinator must do), so the rules (who gets
 * what, what goes back in line after a time-out, a failure or a lost worker, which result is a late duplicate) are
 * unit-tested without actors, clocks or sleeps: time is an argument.
 *
 * <p>A job is one evaluation of one candidate at one fidelity rung, keyed by {@link Key} (candidate id, rung); a
 * candidate's promotion to a higher rung is a job like any other. Jobs put back in line go to the front in their
 * original order, so re-dispatched work is done first.
 */
public final class Dispatch {
    /** A job's identity: a candidate at a rung. */
    public record Key(long id, int rung) {}

    /**
     * Build candidate {@code id} and answer the items of {@code rung} it has not answered at rung {@code from} (-1:
     * a first evaluation).
     */
    public record Job(long id, double[] genes, int rung, int from, String model) {
        public Job {
            genes = genes.clone();
        }

        /** A candidate's job (its genes are merged). */
        public Job(long id, double[] genes, int rung, int from) {
            this(id, genes, rung, from, null);
        }

        /** A model of {@code run.models} answering every item as it is (the parents' answers), by its alias. */
        public static Job model(long id, String alias, int rung) {
            return new Job(id, new double[0], rung, -1, alias);
        }

        public Key key() {
            return new Key(id, rung);
        }
    }

    /** A job handed to a worker at {@code since} (nanoseconds of the caller's clock), on its {@code attempt}-th try. */
    public record Assignment(Job job, String worker, long since, int attempt) {}

    /**
     * A worker as the coordinator knows it: the pipeline slots it asked to fill, its jobs in flight, why it refuses the
     * run (null if it does not), whether a receptionist listing has shown it, and its share of the current run.
     */
    public record Worker(
            String id,
            int wanted,
            Set<Key> inFlight,
            String refused,
            boolean listed,
            long evaluated,
            long busyMillis,
            long firstAssigned) {
        public Worker {
            inFlight = Collections.unmodifiableSet(new LinkedHashSet<>(inFlight));
        }

        Worker withWanted(int w) {
            return new Worker(id, w, inFlight, refused, listed, evaluated, busyMillis, firstAssigned);
        }

        Worker withInFlight(Set<Key> f) {
            return new Worker(id, wanted, f, refused, listed, evaluated, busyMillis, firstAssigned);
        }

        Worker without(Key k) {
            Set<Key> f = new LinkedHashSet<>(inFlight);
            f.remove(k);
            return withInFlight(f);
        }
    }

    /** What the coordinator does after an assignment: send {@code assignment.job()} to {@code assignment.worker()}. */
    public record Assigned(Dispatch next, Assignment assignment) {}

    /** A result arrived: {@code accepted} is false for a late duplicate (or a job nobody asked for). */
    public record Completed(Dispatch next, boolean accepted, Job job, int attempt) {}

    /**
     * A job failed: it is back in line, or (when {@code exhausted}) it failed {@code attempt} times and the run must
     * fail; {@code refusal} is set when the worker refuses the whole run.
     */
    public record Failed(Dispatch next, boolean exhausted, int attempt, String refusal) {}

    /** Assignments that timed out and went back to the front of the line. */
    public record TimedOut(Dispatch next, List<Assignment> late) {}

    private final List<Job> queue;
    private final Map<Key, Assignment> inFlight;
    private final Map<Key, Integer> attempts;
    private final Map<String, Worker> workers;

    private Dispatch(
            List<Job> queue, Map<Key, Assignment> inFlight, Map<Key, Integer> attempts, Map<String, Worker> workers) {
        this.queue = Collections.unmodifiableList(queue);
        this.inFlight = Collections.unmodifiableMap(inFlight);
        this.attempts = Collections.unmodifiableMap(attempts);
        this.workers = Collections.unmodifiableMap(workers);
    }

    public static Dispatch empty() {
        return new Dispatch(new ArrayList<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    private Dispatch with(List<Job> q, Map<Key, Assignment> f, Map<Key, Integer> a, Map<String, Worker> w) {
        return new Dispatch(q, f, a, w);
    }

    private List<Job> q() {
        return new ArrayList<>(queue);
    }

    private Map<Key, Assignment> f() {
        return new LinkedHashMap<>(inFlight);
    }

    private Map<Key, Integer> a() {
        return new LinkedHashMap<>(attempts);
    }

    private Map<String, Worker> w() {
        return new LinkedHashMap<>(workers);
    }

    // ------------------------------------------------------------ workers

    /** A worker has {@code slots} free pipeline slots (absolute: a repeated request changes nothing). */
    public Dispatch requested(String workerId, int slots, boolean listed) {
        Map<String, Worker> w = w();
        Worker old = w.get(workerId);
        Worker n = old == null
                ? new Worker(workerId, Math.max(0, slots), Set.of(), null, listed, 0, 0, -1)
                : new Worker(
                        workerId,
                        Math.max(0, slots),
                        old.inFlight(),
                        old.refused(),
                        old.listed() || listed,
                        old.evaluated(),
                        old.busyMillis(),
                        old.firstAssigned());
        w.put(workerId, n);
        return with(q(), f(), a(), w);
    }

    /**
     * A receptionist listing: workers in {@code live} are marked listed; listed workers missing from it are gone and
     * their jobs go back to the front of the line (a worker never listed yet may simply be faster than the listing).
     */
    public Dispatch listing(Set<String> live) {
        Map<String, Worker> w = w();
        List<Job> q = q();
        Map<Key, Assignment> f = f();
        List<String> gone = new ArrayList<>();
        for (Worker x : workers.values()) {
            if (live.contains(x.id())) {
                w.put(
                        x.id(),
                        new Worker(
                                x.id(),
                                x.wanted(),
                                x.inFlight(),
                                x.refused(),
                                true,
                                x.evaluated(),
                                x.busyMillis(),
                                x.firstAssigned()));
            } else if (x.listed()) {
                gone.add(x.id());
            }
        }
        for (String id : gone) {
            Worker x = w.remove(id);
            List<Job> back = new ArrayList<>();
            for (Key k : x.inFlight()) {
                Assignment as = f.remove(k);
                if (as != null) {
                    back.add(as.job());
                }
            }
            q.addAll(0, back);
        }
        return with(q, f, a(), w);
    }

    /** A new run starts: workers forget refusals, jobs and statistics of the previous one. */
    public Dispatch newRun() {
        Map<String, Worker> w = new LinkedHashMap<>();
        for (Worker x : workers.values()) {
            w.put(x.id(), new Worker(x.id(), x.wanted(), Set.of(), null, x.listed(), 0, 0, -1));
        }
        return with(new ArrayList<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), w);
    }

    // ------------------------------------------------------------ jobs

    /** The run ends: nothing more is handed out (jobs in flight may still answer; their results are dropped). */
    public Dispatch withoutQueue() {
        return with(new ArrayList<>(), f(), a(), w());
    }

    /** Jobs at the end of the line (new candidates). */
    public Dispatch enqueue(List<Job> jobs) {
        List<Job> q = q();
        q.addAll(jobs);
        return with(q, f(), a(), w());
    }

    /**
     * Jobs a previous session of the run already handed out (they were in flight when its coordinator died or
     * stopped): in line like {@link #enqueue}, with that try counted, so their next assignment is attempt 2.
     */
    public Dispatch enqueueTriedBefore(List<Job> jobs) {
        Map<Key, Integer> a = a();
        for (Job j : jobs) {
            a.merge(j.key(), 1, Integer::sum);
        }
        List<Job> q = q();
        q.addAll(jobs);
        return with(q, f(), a, w());
    }

    /** Jobs at the front of the line, in the given order (promotions and work handed out again). */
    public Dispatch enqueueFirst(List<Job> jobs) {
        List<Job> q = q();
        q.addAll(0, jobs);
        return with(q, f(), a(), w());
    }

    /** Slots that workers taking part in the run want filled. */
    public int freeSlots() {
        int n = 0;
        for (Worker x : workers.values()) {
            n += x.refused() == null ? x.wanted() : 0;
        }
        return n;
    }

    /** A worker that wants work and may get it, or null. */
    private Worker hungry() {
        for (Worker x : workers.values()) {
            if (x.refused() == null && x.wanted() > 0) {
                return x;
            }
        }
        return null;
    }

    /** The head of the line to the first worker with a free slot, or null when nobody wants work or the line is empty. */
    public Assigned assignNext(long now) {
        Worker x = hungry();
        if (x == null || queue.isEmpty()) {
            return null;
        }
        List<Job> q = q();
        Job job = q.remove(0);
        Map<Key, Integer> a = a();
        int attempt = a.merge(job.key(), 1, Integer::sum);
        Map<Key, Assignment> f = f();
        Assignment as = new Assignment(job, x.id(), now, attempt);
        f.put(job.key(), as);
        Set<Key> jobs = new LinkedHashSet<>(x.inFlight());
        jobs.add(job.key());
        Map<String, Worker> w = w();
        w.put(
                x.id(),
                new Worker(
                        x.id(),
                        x.wanted() - 1,
                        jobs,
                        null,
                        x.listed(),
                        x.evaluated(),
                        x.busyMillis(),
                        x.firstAssigned() < 0 ? now : x.firstAssigned()));
        return new Assigned(with(q, f, a, w), as);
    }

    /**
     * A worker's result for {@code key}. Accepted when the job is in flight (from this worker or, answering after
     * all, the one it timed out on) or waiting in line after a time-out (then it leaves the line); otherwise it is a
     * late duplicate. {@code evalMillis} counts towards the worker's utilisation either way.
     */
    public Completed completed(Key key, String workerId, long evalMillis) {
        Map<String, Worker> w = w();
        Worker x = w.get(workerId);
        if (x != null) {
            x = x.without(key);
            x = new Worker(
                    x.id(),
                    x.wanted(),
                    x.inFlight(),
                    x.refused(),
                    x.listed(),
                    x.evaluated(),
                    x.busyMillis() + evalMillis,
                    x.firstAssigned());
            w.put(workerId, x);
        }
        Map<Key, Assignment> f = f();
        List<Job> q = q();
        Assignment as = f.remove(key);
        Job job = null;
        if (as != null) {
            job = as.job();
            if (!as.worker().equals(workerId) && w.containsKey(as.worker())) {
                w.put(as.worker(), w.get(as.worker()).without(key));
            }
        } else {
            for (int i = 0; i < q.size(); i++) {
                if (q.get(i).key().equals(key)) {
                    job = q.remove(i);
                    break;
                }
            }
        }
        if (job == null) {
            return new Completed(with(queue, inFlight, attempts, w), false, null, 0);
        }
        if (x != null) {
            w.put(
                    workerId,
                    new Worker(
                            x.id(),
                            x.wanted(),
                            x.inFlight(),
                            x.refused(),
                            x.listed(),
                            x.evaluated() + 1,
                            x.busyMillis(),
                            x.firstAssigned()));
        }
        int attempt = attempts.getOrDefault(key, 1);
        Map<Key, Integer> a = a();
        a.remove(key);
        return new Completed(with(q, f, a, w), true, job, attempt);
    }

    /**
     * A result or failure of a run that has ended: the worker's slot is freed and nothing else changes (job keys are
     * per run, so a late message of the previous run must not touch the current one's jobs).
     */
    public Dispatch forget(String workerId, Key key) {
        Worker x = workers.get(workerId);
        if (x == null || !x.inFlight().contains(key)) {
            return this;
        }
        Map<String, Worker> w = w();
        w.put(workerId, x.without(key));
        return with(q(), f(), a(), w);
    }

    /**
     * A job failed on a worker. {@code refuseRun}: the worker cannot take part in this run; it gets nothing more and
     * the job goes back in line without counting the attempt. Otherwise the job goes back to the front of the line,
     * unless it has failed {@code maxAttempts} times ({@link Failed#exhausted()}).
     */
    public Failed failed(Key key, String workerId, String error, boolean refuseRun, int maxAttempts) {
        Map<String, Worker> w = w();
        Worker x = w.get(workerId);
        if (x != null) {
            x = x.without(key);
            if (refuseRun) {
                x = new Worker(
                        x.id(), 0, x.inFlight(), error, x.listed(), x.evaluated(), x.busyMillis(), x.firstAssigned());
            }
            w.put(workerId, x);
        }
        Map<Key, Assignment> f = f();
        List<Job> q = q();
        Map<Key, Integer> a = a();
        Assignment as = f.get(key);
        if (as == null || !as.worker().equals(workerId)) {
            // not (or no longer) this worker's job: nothing to put back
            return new Failed(with(q, f, a, w), false, 0, refuseRun ? error : null);
        }
        f.remove(key);
        if (refuseRun) {
            a.merge(key, -1, Integer::sum);
            q.add(0, as.job());
            return new Failed(with(q, f, a, w), false, as.attempt(), error);
        }
        if (as.attempt() >= maxAttempts) {
            return new Failed(with(q, f, a, w), true, as.attempt(), null);
        }
        q.add(0, as.job());
        return new Failed(with(q, f, a, w), false, as.attempt(), null);
    }

    /** Jobs in flight for longer than {@code timeoutNanos} go back to the front of the line, in their original order. */
    public TimedOut timeouts(long now, long timeoutNanos) {
        List<Assignment> late = new ArrayList<>();
        for (Assignment as : inFlight.values()) {
            if (now - as.since() > timeoutNanos) {
                late.add(as);
            }
        }
        if (late.isEmpty()) {
            return new TimedOut(this, List.of());
        }
        Map<Key, Assignment> f = f();
        Map<String, Worker> w = w();
        List<Job> back = new ArrayList<>();
        for (Assignment as : late) {
            f.remove(as.job().key());
            Worker x = w.get(as.worker());
            if (x != null) {
                w.put(x.id(), x.without(as.job().key()));
            }
            back.add(as.job());
        }
        List<Job> q = q();
        q.addAll(0, back);
        return new TimedOut(with(q, f, a(), w), List.copyOf(late));
    }

    /** Nothing in line and nothing in flight. */
    public boolean idle() {
        return queue.isEmpty() && inFlight.isEmpty();
    }

    public List<Job> queue() {
        return queue;
    }

    public Map<Key, Assignment> inFlight() {
        return inFlight;
    }

    public Map<String, Worker> workers() {
        return workers;
    }

    /** The attempt the job of {@code key} is on (1 before its first failure). */
    public int attempt(Key key) {
        return attempts.getOrDefault(key, 1);
    }
}
