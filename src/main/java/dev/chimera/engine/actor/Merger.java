package dev.chimera.engine.actor;

import dev.chimera.engine.actor.Protocol.Assign;
import dev.chimera.engine.actor.Protocol.CoordinatorCommand;
import dev.chimera.engine.actor.Protocol.RequestWork;
import dev.chimera.engine.actor.Protocol.WorkFailed;
import dev.chimera.engine.actor.Protocol.WorkerCommand;
import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.work.Workload;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per device. Pulls candidates from the Coordinator, builds them (merges in device memory) on the blocking
 * dispatcher and hands them to its co-located {@link Evaluator}. Pipelining: with depth d it holds up to d
 * candidates at once, so it merges candidate k+1 while k is evaluated; the depth bounds the merged models in memory.
 *
 * <p>The run's {@link Workload} (opened source models, tasks) is created on the first assignment of a run and
 * reused for every candidate of it. A node that cannot take part (missing model folder) refuses the run with
 * {@link WorkFailed#refuseRun()} and the Coordinator sends it nothing more of that run.
 */
public final class Merger extends AbstractBehavior<WorkerCommand> {
    private static final Logger LOG = LoggerFactory.getLogger(Merger.class);

    /** Merger settings. {@code workloads} makes a run's workload for a device (tests pass fakes). */
    public record Settings(
            String workerId,
            String device,
            int depth,
            Duration idlePoll,
            String blockingDispatcher,
            BiFunction<RunSetup, String, Workload> workloads) {}

    // local messages
    private enum Poll implements WorkerCommand {
        INSTANCE
    }

    private record WorkloadReady(String runId, Workload workload, RunSetup setup) implements WorkerCommand {}

    private record WorkloadFailed(String runId, String error) implements WorkerCommand {}

    private record Built(Assign assign, Workload.Built candidate, long millis) implements WorkerCommand {}

    private record BuildFailed(Assign assign, String error) implements WorkerCommand {}

    /** From the Evaluator: a candidate left the pipeline. */
    record Released(String runId, long candidateId) implements WorkerCommand {}

    private final Settings settings;
    private final ActorRef<CoordinatorCommand> coordinator;
    private final ActorRef<Evaluator.Command> evaluator;
    private final Executor blocking;
    private final Deque<Assign> queue = new ArrayDeque<>();
    private final Map<String, Workload> workloads = new HashMap<>();
    /** The setup each workload was made for: a run's setup changes once, when its extract stage chooses the items. */
    private final Map<String, RunSetup> setups = new HashMap<>();

    private final Map<String, String> refused = new HashMap<>();
    private final Map<String, Integer> perRun = new HashMap<>();
    private String loading;
    private boolean building;
    private int outstanding;

    private Merger(
            ActorContext<WorkerCommand> ctx,
            TimerScheduler<WorkerCommand> timers,
            Settings settings,
            ActorRef<CoordinatorCommand> coordinator) {
        super(ctx);
        this.settings = settings;
        this.coordinator = coordinator;
        this.blocking =
                ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(settings.blockingDispatcher()));
        this.evaluator =
                ctx.spawn(Evaluator.create(settings.workerId(), ctx.getSelf(), coordinator, blocking), "evaluator");
        ctx.getSystem().receptionist().tell(Receptionist.register(Protocol.WORKERS, ctx.getSelf()));
        timers.startTimerWithFixedDelay(Poll.INSTANCE, settings.idlePoll());
        requestWork();
    }

    public static Behavior<WorkerCommand> create(Settings settings, ActorRef<CoordinatorCommand> coordinator) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Merger(ctx, timers, settings, coordinator)));
    }

    @Override
    public Receive<WorkerCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(Assign.class, this::onAssign)
                .onMessage(WorkloadReady.class, this::onWorkloadReady)
                .onMessage(WorkloadFailed.class, this::onWorkloadFailed)
                .onMessage(Built.class, this::onBuilt)
                .onMessage(BuildFailed.class, this::onBuildFailed)
                .onMessage(Released.class, this::onReleased)
                .onMessageEquals(Poll.INSTANCE, () -> {
                    // a safety net: a coordinator that moved to another node has forgotten idle workers
                    if (outstanding == 0) {
                        requestWork();
                    }
                    return this;
                })
                .onSignal(PostStop.class, s -> {
                    workloads.values().forEach(Workload::close);
                    return this;
                })
                .build();
    }

    private void requestWork() {
        int free = settings.depth() - outstanding;
        if (free > 0) {
            coordinator.tell(new RequestWork(getContext().getSelf(), settings.workerId(), free));
        }
    }

    private Behavior<WorkerCommand> onAssign(Assign a) {
        String why = refused.get(a.runId());
        if (why != null) {
            coordinator.tell(new WorkFailed(a.runId(), a.candidateId(), a.rung(), settings.workerId(), why, true));
            return this;
        }
        outstanding++;
        perRun.merge(a.runId(), 1, Integer::sum);
        queue.add(a);
        next();
        return this;
    }

    /** Starts the next build if none is running and the head's workload is ready (loading it if needed). */
    private void next() {
        if (building || loading != null || queue.isEmpty()) {
            return;
        }
        Assign a = queue.peek();
        Workload cached = workloads.get(a.runId());
        if (cached != null && !a.setup().equals(setups.get(a.runId()))) {
            // the run's items changed (its extract stage ended): once nothing of the old setup is in the pipeline, the
            // workload is made again for the new one
            long queued =
                    queue.stream().filter(q -> q.runId().equals(a.runId())).count();
            if (perRun.getOrDefault(a.runId(), 0) > queued) {
                return;
            }
            workloads.remove(a.runId()).close();
            cached = null;
        }
        Workload w = cached;
        if (w == null) {
            loading = a.runId();
            RunSetup setup = a.setup();
            closeIdleWorkloads(a.runId());
            CompletableFuture<Workload> f =
                    CompletableFuture.supplyAsync(() -> settings.workloads().apply(setup, settings.device()), blocking);
            getContext()
                    .pipeToSelf(
                            f,
                            (ok, err) -> ok != null
                                    ? new WorkloadReady(setup.runId(), ok, setup)
                                    : new WorkloadFailed(setup.runId(), Coordinator.rootMessage(err)));
            return;
        }
        queue.poll();
        building = true;
        CompletableFuture<Built> f = CompletableFuture.supplyAsync(
                () -> {
                    long t0 = System.nanoTime();
                    Workload.Built b = a.model() != null ? w.model(a.model()) : w.build(a.genes());
                    return new Built(a, b, (System.nanoTime() - t0) / 1_000_000);
                },
                blocking);
        getContext().pipeToSelf(f, (ok, err) -> ok != null ? ok : new BuildFailed(a, Coordinator.rootMessage(err)));
    }

    /** Workloads of other runs with nothing in flight are closed: their source models are no longer needed. */
    private void closeIdleWorkloads(String keep) {
        workloads.entrySet().removeIf(e -> {
            if (!e.getKey().equals(keep) && perRun.getOrDefault(e.getKey(), 0) == 0) {
                e.getValue().close();
                return true;
            }
            return false;
        });
    }

    private Behavior<WorkerCommand> onWorkloadReady(WorkloadReady m) {
        loading = null;
        workloads.put(m.runId(), m.workload());
        setups.put(m.runId(), m.setup());
        next();
        return this;
    }

    private Behavior<WorkerCommand> onWorkloadFailed(WorkloadFailed m) {
        loading = null;
        LOG.error("worker {} cannot take part in run {}: {}", settings.workerId(), m.runId(), m.error());
        refused.put(m.runId(), m.error());
        // refuse everything of that run we hold
        queue.removeIf(a -> {
            if (a.runId().equals(m.runId())) {
                coordinator.tell(
                        new WorkFailed(a.runId(), a.candidateId(), a.rung(), settings.workerId(), m.error(), true));
                release(a.runId());
                return true;
            }
            return false;
        });
        next();
        return this;
    }

    private Behavior<WorkerCommand> onBuilt(Built m) {
        building = false;
        evaluator.tell(new Evaluator.Evaluate(
                m.assign().runId(),
                m.assign().candidateId(),
                m.assign().rung(),
                m.assign().from(),
                workloads.get(m.assign().runId()),
                m.candidate(),
                m.millis()));
        next();
        return this;
    }

    private Behavior<WorkerCommand> onBuildFailed(BuildFailed m) {
        building = false;
        LOG.warn(
                "worker {}: candidate {} of run {} failed to build: {}",
                settings.workerId(),
                m.assign().candidateId(),
                m.assign().runId(),
                m.error());
        coordinator.tell(new WorkFailed(
                m.assign().runId(),
                m.assign().candidateId(),
                m.assign().rung(),
                settings.workerId(),
                m.error(),
                false));
        release(m.assign().runId());
        requestWork();
        next();
        return this;
    }

    private Behavior<WorkerCommand> onReleased(Released m) {
        release(m.runId());
        requestWork();
        next();
        return this;
    }

    private void release(String runId) {
        outstanding--;
        perRun.merge(runId, -1, Integer::sum);
    }
}
