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
import dev.chimera.engine.run.ActiveRuns;
import dev.chimera.engine.run.Dispatch;
import dev.chimera.engine.run.FinalPick;
import dev.chimera.engine.run.ItemChoice;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.Racing;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunEventView;
import dev.chimera.engine.run.RunFolder;
import dev.chimera.engine.run.RunSearch;
import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.engine.run.SearchSpace;
import dev.chimera.estimate.IrtConfig;
import dev.chimera.estimate.ItemIrt;
import dev.chimera.search.Candidate;
import dev.chimera.search.Evaluation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

    /** Coordinator settings (from {@code chimera.engine} in the config). */
    /** {@code activeRuns}: where runs are registered and, when this coordinator starts, adopted from (null: off). */
    public record Settings(
            Duration workTimeout,
            Duration tick,
            int maxAttempts,
            boolean fsync,
            String blockingDispatcher,
            ActiveRuns activeRuns) {}

    // ------------------------------------------------------------ local messages
    private record WorkersChanged(Receptionist.Listing listing) implements CoordinatorCommand {}

    private enum Tick implements CoordinatorCommand {
        INSTANCE
    }

    private record Opened(RunFolder.Opened run, ActorRef<SubmitReply> replyTo) implements CoordinatorCommand {}

    private record OpenFailed(String error, ActorRef<SubmitReply> replyTo) implements CoordinatorCommand {}

    /** The extract stage's final setup (null when it failed: {@code error}). */
    private record ExtractDone(String runId, RunSetup setup, String error) implements CoordinatorCommand {}

    /** Run folders registered as active when this coordinator started: a previous coordinator's unfinished runs. */
    private record Adopt(List<Path> runDirs) implements CoordinatorCommand {}

    private record OutputsWritten(String runId, RunState.Status outcome, String reason, String error)
            implements CoordinatorCommand {}

    /** The {@code irt} estimator's fit on {@code references} (null when the fit failed: {@code error}). */
    private record FitReady(String runId, List<Long> references, Map<String, ItemIrt> fit, String error)
            implements CoordinatorCommand {}

    // ------------------------------------------------------------ state

    /** The active run: its folder, journal, state value, search, and (multi-fidelity) its races. */
    private static final class Active {
        final RunFolder.Opened opened;
        final Journal journal;
        RunState state;
        final RunSearch search;
        final Racing racing;
        final List<double[]> startPoints;
        /** What workers need; replaced once when a pending extract stage ends (the final items and estimators). */
        RunSetup setup;
        /** Objectives whose extract stage waits for the parents' answers (no candidate is asked meanwhile). */
        List<String> pendingExtract;

        boolean extracting;

        /** Start points first, then the calibration merges: reference points -1, -2, ... */
        final int starts;
        /** Gene names with the models written as their aliases in {@code run.models}. */
        final List<String> geneNames;
        /** The {@code irt} estimator's fits by their reference rows, and those being fitted. */
        final Map<List<Long>, Map<String, ItemIrt>> fits = new HashMap<>();

        final Set<List<Long>> fitting = new HashSet<>();
        boolean paused;
        boolean ending;
        final long sessionStartNanos = System.nanoTime();
        long sessionEvaluations;

        Active(RunFolder.Opened opened, Journal journal) {
            this.opened = opened;
            this.journal = journal;
            this.state = opened.state();
            this.search = opened.search();
            RunSpec spec = opened.spec();
            this.racing = spec.fidelity() == null
                    ? null
                    : new Racing(
                            spec.fidelity(),
                            spec.objectives().stream()
                                    .map(RunSpec.ObjectiveSpec::name)
                                    .toList(),
                            opened.setup().items(),
                            opened.setup().rungs());
            List<double[]> points = racing == null ? List.of() : SearchSpace.startPoints(spec);
            this.starts = points.size();
            if (racing != null && spec.fidelity().calibration() > 0) {
                points = new ArrayList<>(points);
                points.addAll(search.space().randomPoints(spec.fidelity().calibration(), spec.seed()));
            }
            this.startPoints = List.copyOf(points);
            this.geneNames = search.space().geneNames(spec);
            this.setup = opened.setup();
            this.pendingExtract = opened.pendingExtract();
        }

        boolean irt() {
            return racing != null && opened.spec().fidelity().estimator().equals("irt");
        }

        /** A reference point's label in the comparisons. */
        String label(long id) {
            int i = (int) (-1 - id);
            if (i >= starts) {
                return "calibration merge " + (i - starts + 1);
            }
            return starts == 1 ? "start point" : "start point " + (i + 1);
        }

        String id() {
            return opened.spec().name();
        }

        /**
         * Models of {@code run.models} whose answers to every item the run still needs (multi-fidelity runs with task
         * objectives, unless the folder has them from before these were work items), in the file's order.
         */
        List<String> pendingModels() {
            boolean racingParents = racing != null
                    && !setup.items().isEmpty()
                    && opened.parents().isEmpty();
            if (!racingParents && pendingExtract.isEmpty()) {
                return List.of();
            }
            // racing compares with every model of the run; an extract stage needs the genome's parents only
            RunSpec.GenomeSpec g = opened.spec().genome();
            return opened.spec().models().keySet().stream()
                    .filter(alias -> racingParents
                            || alias.equals(g.base())
                            || g.models().contains(alias))
                    .filter(alias -> !state.fidelity().answeredBy(alias))
                    .toList();
        }

        /** Per objective, each model's answers to every item (parents.json). */
        Map<String, Map<String, Map<String, Integer>>> parents() {
            return opened.parents().isEmpty() ? state.fidelity().models() : opened.parents();
        }

        /** The id of model job k (k-th model of run.models): far below the reference points' -1, -2, ... */
        static long modelJobId(int k) {
            return -1_000_000L - k;
        }

        /** Reference points (start points scored on the whole split) have ids -1, -2, ... */
        List<Long> referenceIds() {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < startPoints.size(); i++) {
                ids.add(-1L - i);
            }
            return ids;
        }

        double[] genes(long id) {
            if (id < 0) {
                return startPoints.get((int) (-1 - id));
            }
            RunEvent.Evaluated e = state.evaluated().get(id);
            if (e != null) {
                return e.genes();
            }
            Candidate c = search.open(id);
            if (c == null) {
                throw new IllegalStateException("no genes for candidate " + id);
            }
            return c.genes();
        }
    }

    private final Settings settings;
    private final Executor blocking;
    private final String node;
    /** Queue, jobs in flight, attempts and worker slots: a pure value (see {@link Dispatch}). */
    private Dispatch dispatch = Dispatch.empty();

    private final Map<String, ActorRef<WorkerCommand>> refs = new LinkedHashMap<>();
    private final Map<String, Status> ended = new LinkedHashMap<>();
    /** What the dashboard still shows of the last ended runs: their info and their candidates' recipes. */
    private final Map<String, EndedView> endedViews = new LinkedHashMap<>();

    private static final int ENDED_VIEWS = 4;

    private record EndedView(Protocol.RunInfo info, SearchSpace space, Map<Long, RunEvent.Evaluated> evaluated) {}

    private Set<ActorRef<WorkerCommand>> lastListing = Set.of();
    private Active run;
    /** Where every journaled event goes out to dashboards, on any node. */
    private final ActorRef<Topic.Command<Protocol.RunUpdate>> runEvents;

    private Coordinator(
            ActorContext<CoordinatorCommand> ctx, TimerScheduler<CoordinatorCommand> timers, Settings settings) {
        super(ctx);
        this.settings = settings;
        this.blocking =
                ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(settings.blockingDispatcher()));
        this.node = ctx.getSystem().address().toString();
        this.runEvents = ctx.spawn(Topic.create(Protocol.RunUpdate.class, Protocol.RUN_EVENTS), "run-events");
        ActorRef<Receptionist.Listing> adapter = ctx.messageAdapter(Receptionist.Listing.class, WorkersChanged::new);
        ctx.getSystem().receptionist().tell(Receptionist.subscribe(Protocol.WORKERS, adapter));
        timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
        if (settings.activeRuns() != null) {
            // a coordinator that starts (first start, or the singleton moved here) continues what the last one ran
            ActiveRuns registry = settings.activeRuns();
            ctx.pipeToSelf(
                    CompletableFuture.supplyAsync(registry::unfinished, blocking),
                    (dirs, err) -> new Adopt(dirs != null ? dirs : List.of()));
        }
    }

    /** A change to the active-runs registry, off the actor's thread (a failure is logged: the run goes on). */
    private void registry(Consumer<ActiveRuns> change) {
        ActiveRuns registry = settings.activeRuns();
        if (registry != null) {
            CompletableFuture.runAsync(() -> change.accept(registry), blocking).exceptionally(e -> {
                LOG.warn("active-runs registry {}: {}", registry.dir(), e.getMessage());
                return null;
            });
        }
    }

    private Behavior<CoordinatorCommand> onAdopt(Adopt m) {
        if (run != null || m.runDirs().isEmpty()) {
            return this;
        }
        Path dir = m.runDirs().get(0);
        LOG.info("continuing run folder {} that the previous coordinator left unfinished", dir);
        return onSubmit(
                new Submit(null, dir.toString(), getContext().getSystem().ignoreRef()));
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
                .onMessage(FitReady.class, this::onFitReady)
                .onMessage(Adopt.class, this::onAdopt)
                .onMessage(ExtractDone.class, this::onExtractDone)
                .onMessage(Protocol.GetCluster.class, this::onGetCluster)
                .onMessage(Protocol.ListRuns.class, this::onListRuns)
                .onMessage(Protocol.GetRunInfo.class, this::onGetRunInfo)
                .onMessage(Protocol.GetRecipe.class, this::onGetRecipe)
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .build();
    }

    // ------------------------------------------------------------ runs

    private Behavior<CoordinatorCommand> onSubmit(Submit m) {
        if (run != null) {
            m.replyTo()
                    .tell(new SubmitReply(
                            false,
                            run.id(),
                            run.opened.dir().toString(),
                            "run " + run.id() + " is active on this cluster; stop it first or wait for it to end"));
            return this;
        }
        CompletableFuture<RunFolder.Opened> f = CompletableFuture.supplyAsync(
                () -> m.spec() != null ? RunFolder.create(m.spec()) : RunFolder.resume(Path.of(m.runDir())), blocking);
        getContext()
                .pipeToSelf(
                        f,
                        (ok, err) -> ok != null
                                ? new Opened(ok, m.replyTo())
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
        registry(r -> r.register(run.id(), run.opened.dir()));
        dispatch = dispatch.newRun();
        // the parents answer every item first, as work items on any worker (cached by model and task): a multi-fidelity
        // run compares with them and fits its IRT models on them, a pending extract stage chooses the items with them
        List<String> aliases = List.copyOf(run.opened.spec().models().keySet());
        List<Dispatch.Job> models = new ArrayList<>();
        for (String alias : run.pendingModels()) {
            models.add(Dispatch.Job.model(Active.modelJobId(aliases.indexOf(alias)), alias, topRung(run)));
        }
        dispatch = dispatch.enqueue(models);
        if (!run.pendingExtract.isEmpty() && run.pendingModels().isEmpty()) {
            finishExtract(); // the parents answered in an earlier session
        }
        int redo;
        if (run.racing == null) {
            redo = run.search.pending().size();
            // candidates asked but not answered were handed out (they are asked only for free slots): a resume is their
            // second try, journaled as such
            dispatch = dispatch.enqueueTriedBefore(run.search.pending().stream()
                    .map(c -> new Dispatch.Job(c.id(), c.genes(), 0, -1))
                    .toList());
        } else {
            List<Dispatch.Job> refs = new ArrayList<>();
            for (long id : run.referenceIds()) {
                if (run.state.fidelity().rung(id) < run.racing.top()) {
                    refs.add(new Dispatch.Job(id, run.genes(id), run.racing.top(), -1));
                }
            }
            dispatch = dispatch.enqueue(refs);
            for (long cohort : run.search.openCohorts()) {
                advance(cohort);
            }
            redo = dispatch.queue().size();
        }
        LOG.info(
                "run {} {} in {} ({} evaluations journaled, {} to redo)",
                run.id(),
                resumed ? "resumed" : "started",
                run.opened.dir(),
                run.state.evaluated().size(),
                redo);
        m.replyTo().tell(new SubmitReply(true, run.id(), run.opened.dir().toString(), null));
        dispatch();
        return this;
    }

    private void record(RunEvent e) {
        long seq = run.journal.size();
        run.journal.append(e);
        run.state = run.state.updated(e);
        runEvents.tell(Topic.publish(new Protocol.RunUpdate(run.id(), seq, RunEventView.json(e, seq))));
    }

    // ------------------------------------------------------------ dashboard

    private Behavior<CoordinatorCommand> onListRuns(Protocol.ListRuns m) {
        List<Status> runs = new ArrayList<>();
        ended.keySet().forEach(id -> runs.add(statusOf(id, null)));
        if (run != null && !ended.containsKey(run.id())) {
            runs.add(statusOf(run.id(), null));
        }
        m.replyTo().tell(new Protocol.RunList(runs));
        return this;
    }

    /** The run a dashboard request names: an id, or current / null for the active (else the last) run. */
    private String dashboardRun(String requested) {
        if (requested != null && !requested.equals("current")) {
            return requested;
        }
        return run != null
                ? run.id()
                : ended.keySet().stream().reduce((x, y) -> y).orElse(null);
    }

    private Protocol.RunInfo runInfo() {
        RunSpec spec = run.opened.spec();
        return new Protocol.RunInfo(
                run.id(),
                run.opened.dir().toString(),
                spec.objectives().stream().map(RunSpec.ObjectiveSpec::name).toList(),
                run.geneNames,
                Map.copyOf(spec.models()),
                spec.budget().evaluations(),
                spec.budget().generations(),
                spec.algorithm(),
                parentObjectives(spec),
                null);
    }

    /** Each parent's share of right answers per objective, for the parents that answered every objective. */
    private Map<String, double[]> parentObjectives(RunSpec spec) {
        Map<String, Map<String, Map<String, Integer>>> answers =
                run.state.fidelity().models();
        List<String> objectives =
                spec.objectives().stream().map(RunSpec.ObjectiveSpec::name).toList();
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String alias : spec.models().keySet()) {
            double[] v = new double[objectives.size()];
            boolean all = true;
            for (int k = 0; k < v.length && all; k++) {
                Map<String, Integer> items =
                        answers.getOrDefault(objectives.get(k), Map.of()).get(alias);
                all = items != null && !items.isEmpty();
                v[k] = all
                        ? items.values().stream()
                                .mapToInt(Integer::intValue)
                                .average()
                                .orElse(0)
                        : 0;
            }
            if (all) {
                out.put(alias, v);
            }
        }
        return out;
    }

    private Behavior<CoordinatorCommand> onGetRunInfo(Protocol.GetRunInfo m) {
        String id = dashboardRun(m.runId());
        if (run != null && run.id().equals(id)) {
            m.replyTo().tell(runInfo());
        } else if (endedViews.containsKey(id)) {
            m.replyTo().tell(endedViews.get(id).info());
        } else {
            m.replyTo()
                    .tell(new Protocol.RunInfo(
                            id,
                            null,
                            List.of(),
                            List.of(),
                            Map.of(),
                            0,
                            0,
                            null,
                            Map.of(),
                            "no run " + id + " on this cluster"));
        }
        return this;
    }

    private Behavior<CoordinatorCommand> onGetRecipe(Protocol.GetRecipe m) {
        String id = dashboardRun(m.runId());
        SearchSpace space;
        Map<Long, RunEvent.Evaluated> evaluated;
        if (run != null && run.id().equals(id)) {
            space = run.search.space();
            evaluated = run.state.evaluated();
        } else if (endedViews.containsKey(id)) {
            space = endedViews.get(id).space();
            evaluated = endedViews.get(id).evaluated();
        } else {
            m.replyTo().tell(new Protocol.Recipe(null, "no run " + id + " on this cluster"));
            return this;
        }
        RunEvent.Evaluated e = evaluated.get(m.candidateId());
        if (e == null) {
            m.replyTo().tell(new Protocol.Recipe(null, "run " + id + " has no candidate " + m.candidateId()));
        } else {
            m.replyTo()
                    .tell(space.recipe(e.genes())
                            .map(yaml -> new Protocol.Recipe(yaml, null))
                            .orElse(new Protocol.Recipe(null, "run " + id + " searches a box, not a merge")));
        }
        return this;
    }

    // ------------------------------------------------------------ work

    private Behavior<CoordinatorCommand> onRequestWork(RequestWork m) {
        refs.put(m.workerId(), m.worker());
        dispatch = dispatch.requested(m.workerId(), m.slots(), lastListing.contains(m.worker()));
        dispatch();
        return this;
    }

    private void dispatch() {
        if (run == null || run.paused || run.ending) {
            return;
        }
        long active = run.state.activeMillis(System.currentTimeMillis());
        while (true) {
            if (dispatch.queue().isEmpty()
                    && dispatch.freeSlots() > 0
                    && !run.extracting
                    && run.pendingExtract.isEmpty()) {
                // racing decides per cohort: ask for the whole of it at once, or a decision could see part of it
                List<Candidate> fresh =
                        run.search.next(run.racing != null ? Integer.MAX_VALUE : dispatch.freeSlots(), active);
                dispatch = dispatch.enqueue(fresh.stream()
                        .map(c -> new Dispatch.Job(c.id(), c.genes(), 0, -1))
                        .toList());
            }
            Dispatch.Assigned a = dispatch.assignNext(System.nanoTime());
            if (a == null) {
                break;
            }
            dispatch = a.next();
            Dispatch.Job job = a.assignment().job();
            refs.get(a.assignment().worker())
                    .tell(new Assign(run.id(), job.id(), job.genes(), run.setup, job.rung(), job.from(), job.model()));
        }
        maybeFinish(active);
    }

    private void maybeFinish(long activeMillis) {
        if (run == null || run.ending || !dispatch.idle()) {
            return;
        }
        String why = run.search.finished(activeMillis);
        if (why != null && !finalRung()) {
            end(why, RunState.Status.FINISHED);
        }
    }

    /**
     * Multi-fidelity with {@code fidelity.finalists}: once the search is over, the best candidates by estimate that
     * were not scored on the whole split are (promotions like any other). True when such jobs were queued.
     */
    private boolean finalRung() {
        if (run.racing == null || run.opened.spec().fidelity().finalists() <= 0) {
            return false;
        }
        Map<String, ItemIrt> irt =
                irtFor(RunEvent.Fitted.FINAL, run.racing.finalPool(run.state.fidelity(), run.referenceIds()));
        if (irt == null) {
            return true; // the final fit is on its way: FitReady comes back here
        }
        List<Dispatch.Job> jobs = new ArrayList<>();
        for (long id : run.racing.finalists(
                run.state.fidelity(),
                run.referenceIds(),
                irt,
                run.opened.spec().fidelity().finalists())) {
            int reached = run.state.fidelity().rung(id);
            if (reached < run.racing.top()) {
                jobs.add(new Dispatch.Job(id, run.genes(id), run.racing.top(), reached));
            }
        }
        if (jobs.isEmpty()) {
            return false;
        }
        LOG.info("run {}: the final rung scores {} finalist(s) on the whole split", run.id(), jobs.size());
        dispatch = dispatch.enqueue(jobs);
        dispatch();
        return true;
    }

    private Behavior<CoordinatorCommand> onWorkDone(WorkDone m) {
        Dispatch.Key key = new Dispatch.Key(m.candidateId(), m.rung());
        if (run == null || !run.id().equals(m.runId()) || run.ending) {
            // a result of a run that ended: it frees the worker's slot and touches no job of the current run
            dispatch = dispatch.forget(m.workerId(), key);
            return this;
        }
        Dispatch.Completed done = dispatch.completed(key, m.workerId(), m.evalMillis());
        dispatch = done.next();
        if (!done.accepted()) {
            LOG.debug(
                    "dropping a late duplicate result of candidate {} (rung {}) from {}",
                    m.candidateId(),
                    m.rung(),
                    m.workerId());
            return this;
        }
        Dispatch.Job job = done.job();
        long now = System.currentTimeMillis();
        if (job.model() != null) {
            record(new RunEvent.ModelAnswered(
                    now, job.model(), m.items(), m.workerId(), m.evalMillis(), done.attempt()));
            if (run.pendingModels().isEmpty() && !run.pendingExtract.isEmpty()) {
                finishExtract();
            } else if (run.pendingModels().isEmpty() && run.racing != null) {
                RunFolder.Opened o = run.opened;
                Map<String, Map<String, Map<String, Integer>>> parents = run.parents();
                CompletableFuture.runAsync(() -> o.writeParents(parents), blocking);
                for (long cohort : run.search.openCohorts()) {
                    advance(cohort);
                }
            }
            dispatch();
            return this;
        }
        run.sessionEvaluations++;
        if (job.from() < 0) {
            record(new RunEvent.Evaluated(
                    now,
                    job.id(),
                    job.genes(),
                    m.objectives(),
                    m.items(),
                    m.workerId(),
                    m.mergeMillis(),
                    m.evalMillis(),
                    done.attempt(),
                    job.rung()));
        } else {
            record(new RunEvent.Refined(
                    now,
                    job.id(),
                    job.rung(),
                    m.items(),
                    m.workerId(),
                    m.mergeMillis(),
                    m.evalMillis(),
                    done.attempt()));
        }
        if (run.racing == null) {
            told(job.id(), m.objectives());
        } else if (job.id() < 0) {
            // a reference point: cohorts waiting for their incumbent may go on
            for (long cohort : run.search.openCohorts()) {
                advance(cohort);
            }
        } else {
            advance(run.search.cohortOf(job.id()));
        }
        dispatch();
        return this;
    }

    /** The rung of the whole split (every item): a model's answers cover it. */
    private static int topRung(Active run) {
        return run.racing != null ? run.racing.top() : 0;
    }

    /**
     * The extract stage of the objectives that waited for the parents' answers, off the actor's thread: IRT fit and
     * subset from the journaled answers, then the final items; candidates are asked once it is back.
     */
    private void finishExtract() {
        if (run.extracting) {
            return;
        }
        run.extracting = true;
        Active a = run;
        Map<String, Map<String, Map<String, Integer>>> answers =
                run.state.fidelity().models();
        CompletableFuture<RunSetup> f = CompletableFuture.supplyAsync(
                () -> ItemChoice.finishExtract(a.opened.spec(), a.opened.dir(), a.setup, a.pendingExtract, answers),
                blocking);
        getContext()
                .pipeToSelf(f, (setup, err) -> new ExtractDone(a.id(), setup, err == null ? null : rootMessage(err)));
    }

    private Behavior<CoordinatorCommand> onExtractDone(ExtractDone m) {
        if (run == null || !run.id().equals(m.runId())) {
            return this;
        }
        run.extracting = false;
        if (m.error() != null) {
            end("failed: the extract stage: " + m.error(), RunState.Status.FAILED);
            return this;
        }
        run.setup = m.setup();
        run.pendingExtract = List.of();
        LOG.info(
                "run {}: extract stage done, items per objective {}",
                run.id(),
                m.setup().items().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue().size())
                        .toList());
        dispatch();
        return this;
    }

    /** Tells the optimizer a candidate's value; journals a completed generation. */
    private void told(long id, double[] values) {
        if (!run.search.record(id, values)) {
            return;
        }
        if (run.search.generationAdvanced()) {
            long gen = run.search.optimizer().generation();
            RunEvent.GenerationDone g = new RunEvent.GenerationDone(
                    System.currentTimeMillis(), gen, run.state.evaluated().size(), bestObjectives());
            record(g);
            RunFolder.Opened o = run.opened;
            var snapshot = run.search.optimizer().snapshot();
            CompletableFuture.runAsync(() -> o.writeGeneration(g, snapshot), blocking);
        }
    }

    /**
     * Multi-fidelity: what a cohort needs now ({@link Racing#advance}). Races that ended are journaled and told;
     * promotions not yet queued or in flight go to the front of the line. Waits while a reference point is unscored.
     */
    private void advance(long cohort) {
        if (cohort < 0) {
            return;
        }
        for (long ref : run.referenceIds()) {
            if (run.state.fidelity().rung(ref) < run.racing.top()) {
                return;
            }
        }
        if (!run.pendingModels().isEmpty()) {
            return; // decisions (the IRT fits) wait for the parents' answers
        }
        List<Long> pool = new ArrayList<>(run.referenceIds());
        pool.addAll(run.search.before(cohort));
        Long[] incumbents = run.racing.incumbents(run.state.fidelity(), pool);
        Map<String, ItemIrt> irt = irtFor(cohort, pool);
        if (irt == null) {
            return; // its fit is on its way: FitReady advances the open cohorts
        }
        List<Long> members = run.search.cohort(cohort);
        Racing.Step step = run.racing.advance(
                members, run.state.fidelity(), new Racing.Basis(incumbents, irt), allowance(members));
        for (Racing.Ended e : step.ended()) {
            if (!run.state.fidelity().scored().containsKey(e.id())) {
                record(new RunEvent.Scored(System.currentTimeMillis(), e.id(), e.values(), e.rung()));
                told(e.id(), e.values());
            }
        }
        List<Dispatch.Job> promotions = new ArrayList<>();
        List<Dispatch.Job> fresh = new ArrayList<>();
        for (Racing.Need n : step.needs()) {
            Dispatch.Key k = new Dispatch.Key(n.id(), n.rung());
            boolean pending = dispatch.inFlight().containsKey(k)
                    || dispatch.queue().stream().anyMatch(j -> j.key().equals(k));
            if (!pending) {
                (n.from() < 0 ? fresh : promotions)
                        .add(new Dispatch.Job(n.id(), run.genes(n.id()), n.rung(), n.from()));
            }
        }
        dispatch = dispatch.enqueueFirst(promotions).enqueue(fresh);
    }

    /**
     * The {@code irt} estimator's fit for {@code cohort}'s decisions ({@link RunEvent.Fitted#FINAL}: the final rung's):
     * on the rows of {@code pool} scored on the whole split when first asked, journaled then, and on the journaled rows
     * after a resume. Empty for other estimators; null while the fit runs on the blocking dispatcher (an IRT fit takes
     * too long for the actor's thread).
     */
    private Map<String, ItemIrt> irtFor(long cohort, List<Long> pool) {
        if (!run.irt()) {
            return Map.of();
        }
        List<Long> refs = run.state.fidelity().fits().get(cohort);
        if (refs == null) {
            refs = run.racing.rows(run.state.fidelity(), pool);
            record(new RunEvent.Fitted(System.currentTimeMillis(), cohort, refs));
        }
        Map<String, ItemIrt> fit = run.fits.get(refs);
        if (fit == null && run.fitting.add(refs)) {
            List<Long> rows = refs;
            Active a = run;
            RunState.Fidelity progress = run.state.fidelity();
            IrtConfig cfg = IrtConfig.defaults().withSeed(run.opened.spec().seed());
            CompletableFuture<Map<String, ItemIrt>> f =
                    CompletableFuture.supplyAsync(() -> a.racing.fit(progress, rows, a.parents(), cfg), blocking);
            getContext()
                    .pipeToSelf(f, (ok, err) -> new FitReady(a.id(), rows, ok, err == null ? null : rootMessage(err)));
        }
        return fit;
    }

    private Behavior<CoordinatorCommand> onFitReady(FitReady m) {
        if (run == null || !run.id().equals(m.runId())) {
            return this;
        }
        run.fitting.remove(m.references());
        if (m.error() != null) {
            // deterministic, so a resume fails the same way: those decisions fall back to the paired estimator
            LOG.warn(
                    "run {}: the IRT fit on {} reference row(s) failed ({}); the paired estimator is used instead",
                    run.id(),
                    m.references().size(),
                    m.error());
        } else if (m.fit().isEmpty()) {
            LOG.debug(
                    "run {}: {} whole-split row(s) and the parents' are too few for an IRT fit (paired estimator)",
                    run.id(),
                    m.references().size());
        } else {
            LOG.info(
                    "run {}: IRT refitted on {} whole-split row(s) and the parents'",
                    run.id(),
                    m.references().size());
        }
        run.fits.put(m.references(), m.error() != null ? Map.of() : m.fit());
        for (long cohort : run.search.openCohorts()) {
            advance(cohort);
        }
        dispatch();
        return this;
    }

    /**
     * What a cohort may spend under {@code run.fidelity.budget}: that fraction of scoring every candidate asked so far
     * on every item, minus what the rest of the run (start points, other cohorts) has spent.
     */
    private long allowance(List<Long> members) {
        double budget = run.opened.spec().fidelity().budget();
        if (budget <= 0) {
            return Long.MAX_VALUE;
        }
        long whole = run.racing.items(run.racing.top());
        long outside = run.state.fidelity().items();
        for (long id : members) {
            outside -= run.state.fidelity().of(id).values().stream()
                    .mapToLong(Map::size)
                    .sum();
        }
        return (long) Math.floor(budget * run.search.handedOut() * whole) - outside;
    }

    private Behavior<CoordinatorCommand> onWorkFailed(WorkFailed m) {
        Dispatch.Key key = new Dispatch.Key(m.candidateId(), m.rung());
        if (run == null || !run.id().equals(m.runId()) || run.ending) {
            dispatch = dispatch.forget(m.workerId(), key);
            return this;
        }
        Dispatch.Failed f = dispatch.failed(key, m.workerId(), m.error(), m.refuseRun(), settings.maxAttempts());
        dispatch = f.next();
        if (f.refusal() != null) {
            LOG.error("worker {} refuses run {}: {}", m.workerId(), m.runId(), m.error());
        } else if (f.attempt() > 0) {
            LOG.warn(
                    "candidate {} failed on {} (attempt {}): {}",
                    m.candidateId(),
                    m.workerId(),
                    f.attempt(),
                    m.error());
            if (f.exhausted()) {
                end(
                        "failed: candidate " + m.candidateId() + " failed " + f.attempt() + " times; last error: "
                                + m.error(),
                        RunState.Status.FAILED);
                return this;
            }
        }
        dispatch();
        return this;
    }

    private Behavior<CoordinatorCommand> onWorkersChanged(WorkersChanged m) {
        Set<ActorRef<WorkerCommand>> live = m.listing().getServiceInstances(Protocol.WORKERS);
        lastListing = live;
        Set<String> liveIds = new HashSet<>();
        refs.forEach((id, ref) -> {
            if (live.contains(ref)) {
                liveIds.add(id);
            }
        });
        Dispatch before = dispatch;
        dispatch = dispatch.listing(liveIds);
        for (Dispatch.Worker w : before.workers().values()) {
            if (!dispatch.workers().containsKey(w.id())) {
                refs.remove(w.id());
                LOG.info(
                        "worker {} left; handing out its {} job(s) again",
                        w.id(),
                        w.inFlight().size());
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
            end(
                    "failed: the journal cannot be written: "
                            + run.journal.failure().getMessage(),
                    RunState.Status.FAILED);
            return this;
        }
        Dispatch.TimedOut t =
                dispatch.timeouts(System.nanoTime(), settings.workTimeout().toNanos());
        dispatch = t.next();
        for (Dispatch.Assignment a : t.late()) {
            LOG.warn(
                    "candidate {} (rung {}) on {} timed out after {}; handing it out again",
                    a.job().id(),
                    a.job().rung(),
                    a.worker(),
                    settings.workTimeout());
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
            case PAUSE -> {
                if (!run.paused && !run.ending) {
                    run.paused = true;
                    record(new RunEvent.Control(System.currentTimeMillis(), m.action()));
                }
            }
            case RESUME -> {
                if (run.paused) {
                    run.paused = false;
                    record(new RunEvent.Control(System.currentTimeMillis(), m.action()));
                    dispatch();
                }
            }
            case STOP -> {
                if (!run.ending) {
                    record(new RunEvent.Control(System.currentTimeMillis(), m.action()));
                    end("stopped", RunState.Status.STOPPED);
                }
            }
        }
        m.replyTo().tell(statusOf(m.runId(), null));
        return this;
    }

    private Behavior<CoordinatorCommand> onGetCluster(Protocol.GetCluster m) {
        ClusterEvent.CurrentClusterState state =
                Cluster.get(getContext().getSystem()).state();
        List<Protocol.Member> members = new ArrayList<>();
        for (Member mb : state.getMembers()) {
            members.add(new Protocol.Member(
                    mb.address().hostPort(),
                    mb.status().toString().toLowerCase(Locale.ROOT),
                    new ArrayList<>(new TreeSet<>(mb.getRoles())),
                    !state.getUnreachable().contains(mb)));
        }
        List<Protocol.WorkerSlot> slots = new ArrayList<>();
        for (Dispatch.Worker w : dispatch.workers().values()) {
            // worker ids are "system@host:port/device#k"
            int slash = w.id().lastIndexOf('/');
            String nodeAddress = slash < 0 ? w.id() : w.id().substring(0, slash);
            String device = slash < 0 ? "" : w.id().substring(slash + 1);
            slots.add(new Protocol.WorkerSlot(
                    w.id(), nodeAddress, device, w.inFlight().size(), w.refused()));
        }
        m.replyTo()
                .tell(new Protocol.ClusterView(
                        getContext().getSystem().address().hostPort(), members, slots, run == null ? null : run.id()));
        return this;
    }

    private Behavior<CoordinatorCommand> onGetStatus(GetStatus m) {
        String id = m.runId();
        if (id == null || id.isEmpty()) {
            id = run != null
                    ? run.id()
                    : ended.keySet().stream().reduce((a, b) -> b).orElse(null);
        }
        m.replyTo().tell(statusOf(id, null));
        return this;
    }

    private Status statusOf(String runId, String error) {
        if (run != null && run.id().equals(runId)) {
            double secs = (System.nanoTime() - run.sessionStartNanos) / 1e9;
            List<WorkerStatus> ws = workerStatuses();
            RunState.Status state =
                    run.ending ? RunState.Status.ENDING : run.paused ? RunState.Status.PAUSED : RunState.Status.RUNNING;
            List<Evaluation> best = best(); // a multi-fidelity pick costs a pass over the run: once per status
            return new Status(
                    runId,
                    state,
                    run.opened.dir().toString(),
                    run.search.optimizer().generation(),
                    run.state.evaluated().size(),
                    dispatch.inFlight().size(),
                    run.search.cacheHits(),
                    bestObjectives(best),
                    secs > 0 ? run.sessionEvaluations / secs * 60 : 0,
                    secs,
                    ws,
                    null,
                    error,
                    run.state.fidelity().items(),
                    estimatorError(),
                    bestGenes(best));
        }
        Status s = runId == null ? null : ended.get(runId);
        if (s != null) {
            return error == null ? s : withError(s, error);
        }
        return new Status(
                runId,
                RunState.Status.UNKNOWN,
                null,
                0,
                0,
                0,
                0,
                new double[0],
                0,
                0,
                workerStatuses(),
                null,
                error != null
                        ? error
                        : runId == null ? "no run on this cluster yet" : "no run " + runId + " on this cluster",
                0,
                Double.NaN,
                Map.of());
    }

    /** The best candidate's genes by name, models written as their aliases (the first of several objectives' set). */
    private Map<String, Double> bestGenes(List<Evaluation> best) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!best.isEmpty()) {
            double[] g = best.get(0).candidate().genes();
            for (int i = 0; i < g.length; i++) {
                out.put(run.geneNames.get(i), g[i]);
            }
        }
        return out;
    }

    /** Multi-fidelity: the first-rung estimate's mean absolute error over the candidates scored on the whole split. */
    private double estimatorError() {
        return run.racing == null ? Double.NaN : Racing.Finalist.meanError(finalistCheck());
    }

    /** The fidelity estimator on each candidate scored on the whole split, on what its cohort's decisions rested on. */
    private List<Racing.Finalist> finalistCheck() {
        return run.racing.finalists(run.state.fidelity(), id -> {
            long cohort = run.search.cohortOf(id);
            List<Long> pool = new ArrayList<>(run.referenceIds());
            pool.addAll(run.search.before(cohort));
            List<Long> refs = run.state.fidelity().fits().get(cohort);
            Map<String, ItemIrt> irt = refs == null ? null : run.fits.get(refs);
            return new Racing.Basis(run.racing.incumbents(run.state.fidelity(), pool), irt == null ? Map.of() : irt);
        });
    }

    /** Workers known (they announce themselves when they have free slots) with their utilisation in the current run. */
    private List<WorkerStatus> workerStatuses() {
        List<WorkerStatus> ws = new ArrayList<>();
        for (Dispatch.Worker w : dispatch.workers().values()) {
            double span = w.firstAssigned() < 0 ? 0 : (System.nanoTime() - w.firstAssigned()) / 1e6;
            ws.add(new WorkerStatus(
                    w.id(), w.evaluated(), span <= 0 ? 0 : Math.min(1, w.busyMillis() / span), w.refused()));
        }
        return ws;
    }

    private static Status withError(Status s, String error) {
        return new Status(
                s.runId(),
                s.state(),
                s.runDir(),
                s.generation(),
                s.evaluations(),
                s.inFlight(),
                s.cacheHits(),
                s.best(),
                s.evaluationsPerMinute(),
                s.elapsedSeconds(),
                s.workers(),
                s.finishReason(),
                error,
                s.items(),
                s.estimatorError(),
                s.bestGenes());
    }

    /** A multi-fidelity run's answer so far: among the candidates and start points scored on the whole split. */
    private FinalPick.Pick pick(boolean compare) {
        return pickOf(run, compare).get();
    }

    /** The pick of a run as it is now (its state is an immutable value), to compute here or elsewhere. */
    private static Supplier<FinalPick.Pick> pickOf(Active run, boolean compare) {
        Map<Long, String> refs = new LinkedHashMap<>();
        for (long id : run.referenceIds()) {
            refs.put(id, run.label(id));
        }
        List<String> objectives = run.opened.spec().objectives().stream()
                .map(RunSpec.ObjectiveSpec::name)
                .toList();
        RunState.Fidelity progress = run.state.fidelity();
        int top = run.racing.top();
        long seed = compare ? run.opened.spec().seed() : -1;
        return () -> FinalPick.choose(objectives, run.setup.items(), progress, top, refs, run.parents(), seed);
    }

    private List<Evaluation> best() {
        if (run.racing == null) {
            return run.search.optimizer().best();
        }
        FinalPick.Pick p = pick(false);
        List<Evaluation> out = new ArrayList<>();
        for (int i = 0; i < p.ids().size(); i++) {
            out.add(new Evaluation(
                    new Candidate(p.ids().get(i), run.genes(p.ids().get(i))),
                    p.values().get(i)));
        }
        return out;
    }

    private double[] bestObjectives() {
        return bestObjectives(best());
    }

    private static double[] bestObjectives(List<Evaluation> best) {
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

    /** Ends the run as {@code outcome} (FINISHED, STOPPED or FAILED) once its outputs are written. */
    private void end(String reason, RunState.Status outcome) {
        run.ending = true;
        dispatch = dispatch.withoutQueue();
        String id = run.id();
        RunFolder.Opened o = run.opened;
        List<Evaluation> best = best();
        // the pick's bootstrap comparisons are computed with the outputs, off the actor's thread
        Supplier<FinalPick.Pick> answer = run.racing == null ? () -> null : pickOf(run, true);
        List<Racing.Finalist> check = run.racing == null ? List.of() : finalistCheck();
        String estimator =
                run.racing == null ? null : run.opened.spec().fidelity().estimator();
        Supplier<FinalPick.Pick> pick = () -> {
            FinalPick.Pick p = answer.get();
            return p == null ? null : p.withEstimates(estimator, check);
        };
        var snapshot = run.search.optimizer().snapshot();
        RunState state = run.state;
        LOG.info("run {} ending: {}", id, reason);
        boolean models = outcome == RunState.Status.FINISHED;
        CompletableFuture<Void> f =
                CompletableFuture.runAsync(() -> o.writeOutputs(state, best, pick.get(), snapshot, models), blocking);
        getContext()
                .pipeToSelf(
                        f, (ok, err) -> new OutputsWritten(id, outcome, reason, err == null ? null : rootMessage(err)));
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
        if (m.outcome() != RunState.Status.STOPPED) {
            record(new RunEvent.Finished(System.currentTimeMillis(), reason, m.outcome() == RunState.Status.FAILED));
        }
        Status s = statusOf(m.runId(), null);
        Status last = new Status(
                s.runId(),
                m.outcome(),
                s.runDir(),
                s.generation(),
                s.evaluations(),
                0,
                s.cacheHits(),
                s.best(),
                s.evaluationsPerMinute(),
                s.elapsedSeconds(),
                s.workers(),
                reason,
                null,
                s.items(),
                s.estimatorError(),
                s.bestGenes());
        run.journal.close();
        String endedId = m.runId();
        registry(r -> r.remove(endedId));
        ended.put(m.runId(), last);
        endedViews.put(m.runId(), new EndedView(runInfo(), run.search.space(), run.state.evaluated()));
        while (endedViews.size() > ENDED_VIEWS) {
            endedViews.remove(endedViews.keySet().iterator().next());
        }
        LOG.info(
                "run {} {}: {} evaluations, best {}",
                m.runId(),
                last.state().word(),
                last.evaluations(),
                Arrays.toString(last.best()));
        run = null;
        dispatch = dispatch.newRun();
        return this;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.toString();
    }
}
