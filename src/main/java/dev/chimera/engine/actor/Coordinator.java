package dev.chimera.engine.actor;

import dev.chimera.engine.actor.Protocol.Assign;
import dev.chimera.engine.actor.Protocol.Control;
import dev.chimera.engine.actor.Protocol.CoordinatorCommand;
import dev.chimera.engine.actor.Protocol.GetStatus;
import dev.chimera.engine.actor.Protocol.RequestWork;
import dev.chimera.engine.actor.Protocol.Status;
import dev.chimera.engine.actor.Protocol.Submit;
import dev.chimera.engine.actor.Protocol.SubmitReply;
import dev.chimera.engine.actor.Protocol.WorkDone;
import dev.chimera.engine.actor.Protocol.WorkFailed;
import dev.chimera.engine.actor.Protocol.WorkerCommand;
import dev.chimera.engine.actor.Protocol.WorkerStatus;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunFolder;
import dev.chimera.engine.run.RunSearch;
import dev.chimera.engine.run.RunState;
import dev.chimera.search.Candidate;
import dev.chimera.search.Evaluation;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Owns one run at a time (a Cluster Singleton, so one per cluster): asks the optimizer for candidates, hands them
 * to workers that asked for work, tells results, journals every event and decides when the run ends.
 *
 * <p>Fault tolerance follows Pekko's distributed-workers sample: work of a worker that leaves the receptionist's
 * listing (its node died or became unreachable and was downed) or that has not answered within the work timeout
 * is handed out again; a result for a candidate already answered is dropped, so the journal holds each candidate
 * once. All file work (opening a run, writing outputs) runs on the blocking dispatcher and comes back as a message.
 */
public final class Coordinator extends AbstractBehavior<CoordinatorCommand> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Coordinator.class);

    /** Coordinator settings (from {@code chimera.engine} in the config). */
    public record Settings(Duration workTimeout, Duration tick, int maxAttempts, boolean fsync, String blockingDispatcher) {
    }

    // ------------------------------------------------------------ local messages
    private record WorkersChanged(Receptionist.Listing listing) implements CoordinatorCommand {
    }

    private enum Tick implements CoordinatorCommand { INSTANCE }

    private record Opened(RunFolder.Opened run, ActorRef<SubmitReply> replyTo) implements CoordinatorCommand {
    }

    private record OpenFailed(String error, ActorRef<SubmitReply> replyTo) implements CoordinatorCommand {
    }

    private record OutputsWritten(String runId, String reason, String error) implements CoordinatorCommand {
    }

    // ------------------------------------------------------------ state
    private static final class Worker {
        final String id;
        ActorRef<WorkerCommand> ref;
        int wanted;
        final Set<Long> inFlight = new HashSet<>();
        long evaluated;
        long busyMillis;
        long firstAssigned = -1;
        String refused;
        // seen in a receptionist listing: only then does leaving the listing mean the worker is gone (a worker's
        // first RequestWork can arrive before the listing that includes it)
        boolean listed;

        Worker(String id, ActorRef<WorkerCommand> ref) {
            this.id = id;
            this.ref = ref;
        }
    }

    private record Assignment(Candidate candidate, String workerId, long since, int attempt) {
    }

    /** The active run: its folder, journal, state value and search. */
    private static final class Active {
        final RunFolder.Opened opened;
        final Journal journal;
        RunState state;
        final RunSearch search;
        final Deque<Candidate> queue = new ArrayDeque<>();
        final Map<Long, Assignment> inFlight = new LinkedHashMap<>();
        final Map<Long, Integer> attempts = new HashMap<>();
        boolean paused;
        boolean ending;
        final long sessionStartNanos = System.nanoTime();
        long sessionEvaluations;

        Active(RunFolder.Opened opened, Journal journal) {
            this.opened = opened;
            this.journal = journal;
            this.state = opened.state();
            this.search = opened.search();
        }

        String id() {
            return opened.spec().name();
        }
    }

    private final Settings settings;
    private final Executor blocking;
    private final String node;
    private final Map<String, Worker> workers = new LinkedHashMap<>();
    private final Map<String, Status> ended = new LinkedHashMap<>();
    private Set<ActorRef<WorkerCommand>> lastListing = Set.of();
    private Active run;

    private Coordinator(ActorContext<CoordinatorCommand> ctx, TimerScheduler<CoordinatorCommand> timers, Settings settings) {
        super(ctx);
        this.settings = settings;
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(settings.blockingDispatcher()));
        this.node = ctx.getSystem().address().toString();
        ActorRef<Receptionist.Listing> adapter = ctx.messageAdapter(Receptionist.Listing.class, WorkersChanged::new);
        ctx.getSystem().receptionist().tell(Receptionist.subscribe(Protocol.WORKERS, adapter));
        timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
    }

    public static Behavior<CoordinatorCommand> create(Settings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Coordinator(ctx, timers, settings)));
    }

    @Override
    public Receive<CoordinatorCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(Opened.class, this::onOpened)
                .onMessage(OpenFailed.class, m -> {
                    m.replyTo().tell(new SubmitReply(false, null, null, m.error()));
                    return this;
                })
                .onMessage(RequestWork.class, this::onRequestWork)
                .onMessage(WorkDone.class, this::onWorkDone)
                .onMessage(WorkFailed.class, this::onWorkFailed)
                .onMessage(WorkersChanged.class, this::onWorkersChanged)
                .onMessage(Control.class, this::onControl)
                .onMessage(GetStatus.class, this::onGetStatus)
                .onMessage(OutputsWritten.class, this::onOutputsWritten)
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .build();
    }

    // ------------------------------------------------------------ runs

    private Behavior<CoordinatorCommand> onSubmit(Submit m) {
        if (run != null) {
            m.replyTo().tell(new SubmitReply(false, run.id(), run.opened.dir().toString(),
                    "run " + run.id() + " is active on this cluster; stop it first or wait for it to end"));
            return this;
        }
        CompletableFuture<RunFolder.Opened> f = CompletableFuture.supplyAsync(
                () -> m.spec() != null ? RunFolder.create(m.spec()) : RunFolder.resume(java.nio.file.Path.of(m.runDir())), blocking);
        getContext().pipeToSelf(f, (ok, err) -> ok != null ? new Opened(ok, m.replyTo())
                : new OpenFailed(rootMessage(err), m.replyTo()));
        return this;
    }

    private Behavior<CoordinatorCommand> onOpened(Opened m) {
        if (run != null) {
            m.replyTo().tell(new SubmitReply(false, run.id(), null, "run " + run.id() + " became active meanwhile"));
            return this;
        }
        Journal journal = Journal.open(m.run().dir(), settings.fsync());
        run = new Active(m.run(), journal);
        ended.remove(run.id());
        boolean resumed = run.state.sessions() > 0;
        record(new RunEvent.Started(System.currentTimeMillis(), run.id(), node, resumed));
        run.queue.addAll(run.search.pending());
        for (Worker w : workers.values()) {
            w.refused = null;
            w.inFlight.clear();
            w.evaluated = 0;
            w.busyMillis = 0;
            w.firstAssigned = -1;
        }
        LOG.info("run {} {} in {} ({} evaluations journaled, {} to redo)", run.id(),
                resumed ? "resumed" : "started", run.opened.dir(), run.state.evaluated().size(), run.queue.size());
        m.replyTo().tell(new SubmitReply(true, run.id(), run.opened.dir().toString(), null));
        dispatch();
        return this;
    }

    private void record(RunEvent e) {
        run.journal.append(e);
        run.state = run.state.updated(e);
    }

    // ------------------------------------------------------------ work

    private Behavior<CoordinatorCommand> onRequestWork(RequestWork m) {
        Worker w = workers.computeIfAbsent(m.workerId(), id -> new Worker(id, m.worker()));
        w.ref = m.worker();
        w.listed |= lastListing.contains(m.worker());
        w.wanted = Math.max(0, m.slots());
        dispatch();
        return this;
    }

    private void dispatch() {
        if (run == null || run.paused || run.ending) {
            return;
        }
        long active = run.state.activeMillis(System.currentTimeMillis());
        for (Worker w : workers.values()) {
            while (w.wanted > 0 && w.refused == null) {
                if (run.queue.isEmpty()) {
                    int want = workers.values().stream().filter(x -> x.refused == null).mapToInt(x -> x.wanted).sum();
                    run.queue.addAll(run.search.next(want, active));
                    if (run.queue.isEmpty()) {
                        break;
                    }
                }
                Candidate c = run.queue.poll();
                int attempt = run.attempts.merge(c.id(), 1, Integer::sum);
                run.inFlight.put(c.id(), new Assignment(c, w.id, System.nanoTime(), attempt));
                w.inFlight.add(c.id());
                w.wanted--;
                if (w.firstAssigned < 0) {
                    w.firstAssigned = System.nanoTime();
                }
                w.ref.tell(new Assign(run.id(), c.id(), c.genes(), run.opened.setup()));
            }
        }
        maybeFinish(active);
    }

    private void maybeFinish(long activeMillis) {
        if (run == null || run.ending || !run.inFlight.isEmpty() || !run.queue.isEmpty()) {
            return;
        }
        String why = run.search.finished(activeMillis);
        if (why != null) {
            end(why, false);
        }
    }

    private Behavior<CoordinatorCommand> onWorkDone(WorkDone m) {
        Worker w = workers.get(m.workerId());
        if (w != null) {
            w.inFlight.remove(m.candidateId());
            // utilisation is the evaluator's: with pipelining the merge of the next candidate hides behind it
            w.busyMillis += m.evalMillis();
        }
        if (run == null || !run.id().equals(m.runId()) || run.ending) {
            return this;
        }
        Assignment a = run.inFlight.get(m.candidateId());
        if (a != null && !a.workerId().equals(m.workerId())) {
            // the first worker answered after all: take its result, the re-dispatched copy's will be dropped
            Worker other = workers.get(a.workerId());
            if (other != null) {
                other.inFlight.remove(m.candidateId());
            }
        }
        Candidate c = a != null ? a.candidate() : requeued(m.candidateId());
        if (c == null || !run.search.record(m.candidateId(), m.objectives())) {
            LOG.debug("dropping a late duplicate result of candidate {} from {}", m.candidateId(), m.workerId());
            return this;
        }
        run.inFlight.remove(m.candidateId());
        if (w != null) {
            w.evaluated++;
        }
        run.sessionEvaluations++;
        record(new RunEvent.Evaluated(System.currentTimeMillis(), m.candidateId(), c.genes(), m.objectives(), m.items(),
                m.workerId(), m.mergeMillis(), m.evalMillis(), run.attempts.getOrDefault(m.candidateId(), 1)));
        if (run.search.generationAdvanced()) {
            long gen = run.search.optimizer().generation();
            double[] best = bestObjectives();
            RunEvent.GenerationDone g = new RunEvent.GenerationDone(System.currentTimeMillis(), gen,
                    run.state.evaluated().size(), best);
            record(g);
            RunFolder.Opened o = run.opened;
            var snapshot = run.search.optimizer().snapshot();
            CompletableFuture.runAsync(() -> o.writeGeneration(g, snapshot), blocking);
        }
        dispatch();
        return this;
    }

    /** A result for a candidate that timed out and waits in the queue: take it out of the queue. */
    private Candidate requeued(long id) {
        for (Candidate c : run.queue) {
            if (c.id() == id) {
                run.queue.remove(c);
                return c;
            }
        }
        return null;
    }

    private Behavior<CoordinatorCommand> onWorkFailed(WorkFailed m) {
        Worker w = workers.get(m.workerId());
        if (w != null) {
            w.inFlight.remove(m.candidateId());
        }
        if (run == null || !run.id().equals(m.runId()) || run.ending) {
            return this;
        }
        Assignment a = run.inFlight.remove(m.candidateId());
        if (m.refuseRun()) {
            if (w != null && w.refused == null) {
                LOG.error("worker {} refuses run {}: {}", m.workerId(), m.runId(), m.error());
            }
            if (w != null) {
                w.refused = m.error();
                w.wanted = 0;
            }
            if (a != null) {
                run.queue.addFirst(a.candidate());
                run.attempts.merge(m.candidateId(), -1, Integer::sum);
            }
        } else if (a != null) {
            LOG.warn("candidate {} failed on {} (attempt {}): {}", m.candidateId(), m.workerId(), a.attempt(), m.error());
            if (a.attempt() >= settings.maxAttempts()) {
                end("failed: candidate " + m.candidateId() + " failed " + a.attempt() + " times; last error: " + m.error(), true);
                return this;
            }
            run.queue.addFirst(a.candidate());
        }
        dispatch();
        return this;
    }

    private Behavior<CoordinatorCommand> onWorkersChanged(WorkersChanged m) {
        Set<ActorRef<WorkerCommand>> live = m.listing().getServiceInstances(Protocol.WORKERS);
        lastListing = live;
        List<Worker> gone = new ArrayList<>();
        for (Worker w : workers.values()) {
            if (live.contains(w.ref)) {
                w.listed = true;
            } else if (w.listed) {
                gone.add(w);
            }
        }
        for (Worker w : gone) {
            workers.remove(w.id);
            LOG.info("worker {} left; handing out its {} candidate(s) again", w.id, w.inFlight.size());
            if (run != null) {
                List<Long> ids = new ArrayList<>(w.inFlight);
                ids.sort(java.util.Comparator.reverseOrder());
                for (long id : ids) {
                    Assignment a = run.inFlight.remove(id);
                    if (a != null) {
                        run.queue.addFirst(a.candidate());
                    }
                }
            }
        }
        dispatch();
        return this;
    }

    private Behavior<CoordinatorCommand> onTick() {
        if (run == null) {
            return this;
        }
        if (run.journal.failure() != null && !run.ending) {
            end("failed: the journal cannot be written: " + run.journal.failure().getMessage(), true);
            return this;
        }
        long now = System.nanoTime();
        long timeout = settings.workTimeout().toNanos();
        List<Long> late = new ArrayList<>();
        for (Assignment a : run.inFlight.values()) {
            if (now - a.since() > timeout) {
                late.add(a.candidate().id());
            }
        }
        // back to the front of the queue in their original order
        java.util.Collections.reverse(late);
        for (long id : late) {
            Assignment a = run.inFlight.remove(id);
            LOG.warn("candidate {} on {} timed out after {}; handing it out again", id, a.workerId(), settings.workTimeout());
            Worker w = workers.get(a.workerId());
            if (w != null) {
                w.inFlight.remove(id);
            }
            run.queue.addFirst(a.candidate());
        }
        dispatch();
        return this;
    }

    // ------------------------------------------------------------ control and status

    private Behavior<CoordinatorCommand> onControl(Control m) {
        if (run == null || !run.id().equals(m.runId())) {
            m.replyTo().tell(statusOf(m.runId(), "no active run " + m.runId()));
            return this;
        }
        switch (m.action()) {
            case "pause" -> {
                if (!run.paused && !run.ending) {
                    run.paused = true;
                    record(new RunEvent.Control(System.currentTimeMillis(), "pause"));
                }
            }
            case "resume" -> {
                if (run.paused) {
                    run.paused = false;
                    record(new RunEvent.Control(System.currentTimeMillis(), "resume"));
                    dispatch();
                }
            }
            case "stop" -> {
                if (!run.ending) {
                    record(new RunEvent.Control(System.currentTimeMillis(), "stop"));
                    end("stopped", false);
                }
            }
            default -> {
                m.replyTo().tell(statusOf(m.runId(), "unknown action '" + m.action() + "' (pause, resume, stop)"));
                return this;
            }
        }
        m.replyTo().tell(statusOf(m.runId(), null));
        return this;
    }

    private Behavior<CoordinatorCommand> onGetStatus(GetStatus m) {
        String id = m.runId();
        if (id == null || id.isEmpty()) {
            id = run != null ? run.id() : ended.keySet().stream().reduce((a, b) -> b).orElse(null);
        }
        m.replyTo().tell(statusOf(id, null));
        return this;
    }

    private Status statusOf(String runId, String error) {
        if (run != null && run.id().equals(runId)) {
            double secs = (System.nanoTime() - run.sessionStartNanos) / 1e9;
            List<WorkerStatus> ws = workerStatuses();
            String state = run.ending ? "ENDING" : run.paused ? "PAUSED" : "RUNNING";
            return new Status(runId, state, run.opened.dir().toString(), run.search.optimizer().generation(),
                    run.state.evaluated().size(), run.inFlight.size(), run.search.cacheHits(), bestObjectives(),
                    secs > 0 ? run.sessionEvaluations / secs * 60 : 0, secs, ws, null, error);
        }
        Status s = runId == null ? null : ended.get(runId);
        if (s != null) {
            return error == null ? s : withError(s, error);
        }
        return new Status(runId, "UNKNOWN", null, 0, 0, 0, 0, new double[0], 0, 0, workerStatuses(), null,
                error != null ? error : runId == null ? "no run on this cluster yet" : "no run " + runId + " on this cluster");
    }

    /** Workers known (they announce themselves when they have free slots) with their utilisation in the current run. */
    private List<WorkerStatus> workerStatuses() {
        List<WorkerStatus> ws = new ArrayList<>();
        for (Worker w : workers.values()) {
            double span = w.firstAssigned < 0 ? 0 : (System.nanoTime() - w.firstAssigned) / 1e6;
            ws.add(new WorkerStatus(w.id, w.evaluated, span <= 0 ? 0 : Math.min(1, w.busyMillis / span), w.refused));
        }
        return ws;
    }

    private static Status withError(Status s, String error) {
        return new Status(s.runId(), s.state(), s.runDir(), s.generation(), s.evaluations(), s.inFlight(), s.cacheHits(),
                s.best(), s.evaluationsPerMinute(), s.elapsedSeconds(), s.workers(), s.finishReason(), error);
    }

    private double[] bestObjectives() {
        List<Evaluation> best = run.search.optimizer().best();
        if (best.isEmpty()) {
            return new double[0];
        }
        if (best.size() == 1) {
            return best.get(0).objectives();
        }
        // several objectives: the best value reached on each
        double[] b = best.get(0).objectives();
        for (Evaluation e : best) {
            for (int i = 0; i < b.length; i++) {
                b[i] = Math.max(b[i], e.objective(i));
            }
        }
        return b;
    }

    // ------------------------------------------------------------ the end

    private void end(String reason, boolean failed) {
        run.ending = true;
        run.queue.clear();
        String id = run.id();
        RunFolder.Opened o = run.opened;
        List<Evaluation> best = run.search.optimizer().best();
        var snapshot = run.search.optimizer().snapshot();
        RunState state = run.state;
        LOG.info("run {} ending: {}", id, reason);
        boolean models = !failed && !reason.equals("stopped");
        CompletableFuture<Void> f = CompletableFuture.runAsync(() -> o.writeOutputs(state, best, snapshot, models), blocking);
        getContext().pipeToSelf(f, (ok, err) -> new OutputsWritten(id, reason, err == null ? null : rootMessage(err)));
    }

    private Behavior<CoordinatorCommand> onOutputsWritten(OutputsWritten m) {
        if (run == null || !run.id().equals(m.runId())) {
            return this;
        }
        String reason = m.reason();
        if (m.error() != null) {
            LOG.error("run {}: writing its outputs failed: {}", m.runId(), m.error());
            reason = reason + "; outputs failed: " + m.error();
        }
        boolean stopped = reason.startsWith("stopped");
        boolean failed = reason.startsWith("failed");
        if (!stopped) {
            record(new RunEvent.Finished(System.currentTimeMillis(), reason));
        }
        Status s = statusOf(m.runId(), null);
        Status last = new Status(s.runId(), failed ? "FAILED" : stopped ? "STOPPED" : "FINISHED", s.runDir(), s.generation(),
                s.evaluations(), 0, s.cacheHits(), s.best(), s.evaluationsPerMinute(), s.elapsedSeconds(), s.workers(), reason,
                null);
        run.journal.close();
        ended.put(m.runId(), last);
        LOG.info("run {} {}: {} evaluations, best {}", m.runId(), last.state().toLowerCase(), last.evaluations(),
                java.util.Arrays.toString(last.best()));
        run = null;
        for (Worker w : workers.values()) {
            w.inFlight.clear();
        }
        return this;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.toString();
    }
}
