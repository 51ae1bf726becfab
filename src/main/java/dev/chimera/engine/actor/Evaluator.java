package dev.chimera.engine.actor;

import dev.chimera.engine.actor.Protocol.CoordinatorCommand;
import dev.chimera.engine.actor.Protocol.WorkDone;
import dev.chimera.engine.actor.Protocol.WorkFailed;
import dev.chimera.engine.actor.Protocol.WorkerCommand;
import dev.chimera.engine.work.Outcome;
import dev.chimera.engine.work.Workload;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Co-located with one {@link Merger} (same device): evaluates the candidates it builds, one at a time, on the
 * blocking dispatcher; sends the result straight to the Coordinator, frees the candidate's tensors and tells the
 * Merger its pipeline slot is free. Its messages carry tensors, so they never leave the JVM.
 */
public final class Evaluator extends AbstractBehavior<Evaluator.Command> {
    private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);

    /** Local messages only. */
    public interface Command {}

    record Evaluate(
            String runId,
            long candidateId,
            int rung,
            int from,
            Workload workload,
            Workload.Built candidate,
            long mergeMillis)
            implements Command {}

    private record Done(Evaluate job, Outcome outcome, long millis) implements Command {}

    private record Failed(Evaluate job, String error) implements Command {}

    private final String workerId;
    private final ActorRef<WorkerCommand> merger;
    private final ActorRef<CoordinatorCommand> coordinator;
    private final Executor blocking;
    private final Deque<Evaluate> queue = new ArrayDeque<>();
    private boolean busy;

    private Evaluator(
            ActorContext<Command> ctx,
            String workerId,
            ActorRef<WorkerCommand> merger,
            ActorRef<CoordinatorCommand> coordinator,
            Executor blocking) {
        super(ctx);
        this.workerId = workerId;
        this.merger = merger;
        this.coordinator = coordinator;
        this.blocking = blocking;
    }

    static Behavior<Command> create(
            String workerId,
            ActorRef<WorkerCommand> merger,
            ActorRef<CoordinatorCommand> coordinator,
            Executor blocking) {
        return Behaviors.setup(ctx -> new Evaluator(ctx, workerId, merger, coordinator, blocking));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Evaluate.class, m -> {
                    queue.add(m);
                    next();
                    return this;
                })
                .onMessage(Done.class, this::onDone)
                .onMessage(Failed.class, this::onFailed)
                .build();
    }

    private void next() {
        if (busy || queue.isEmpty()) {
            return;
        }
        Evaluate job = queue.poll();
        busy = true;
        CompletableFuture<Done> f = CompletableFuture.supplyAsync(
                () -> {
                    long t0 = System.nanoTime();
                    try {
                        Outcome o = job.workload().evaluate(job.candidate(), job.from(), job.rung());
                        return new Done(job, o, (System.nanoTime() - t0) / 1_000_000);
                    } finally {
                        job.candidate().close();
                    }
                },
                blocking);
        getContext().pipeToSelf(f, (ok, err) -> ok != null ? ok : new Failed(job, Coordinator.rootMessage(err)));
    }

    private Behavior<Command> onDone(Done m) {
        busy = false;
        coordinator.tell(new WorkDone(
                m.job().runId(),
                m.job().candidateId(),
                m.job().rung(),
                workerId,
                m.outcome().objectives(),
                m.outcome().items(),
                m.job().mergeMillis(),
                m.millis()));
        merger.tell(new Merger.Released(m.job().runId(), m.job().candidateId()));
        next();
        return this;
    }

    private Behavior<Command> onFailed(Failed m) {
        busy = false;
        LOG.warn(
                "worker {}: candidate {} of run {} failed to evaluate: {}",
                workerId,
                m.job().candidateId(),
                m.job().runId(),
                m.error());
        coordinator.tell(
                new WorkFailed(m.job().runId(), m.job().candidateId(), m.job().rung(), workerId, m.error(), false));
        merger.tell(new Merger.Released(m.job().runId(), m.job().candidateId()));
        next();
        return this;
    }
}
