package dev.chimera.engine.control;

import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.actor.Protocol.RunUpdate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * A node's end of the run-event topic: it hears every event the coordinator journals (wherever the coordinator
 * runs), keeps each run's latest events, and forwards them to the node's open dashboard streams. A stream registers
 * before it reads the journal file and gets the kept events back, so an event that is published but not yet on disk
 * is never missed: the stream joins file, kept events and live ones by sequence number.
 */
final class DashboardHub {
    /** Events kept per run: far more than a journal's write queue ever holds. */
    static final int KEPT = 20_000;
    /** Runs whose events are kept (the most recent ones): a long-lived node does not grow with every run. */
    static final int RUNS = 4;

    interface Command {}

    record Register(String runId, SourceQueueWithComplete<RunUpdate> queue, ActorRef<List<RunUpdate>> replyTo)
            implements Command {}

    record Unregister(String runId, SourceQueueWithComplete<RunUpdate> queue) implements Command {}

    private record Update(RunUpdate update) implements Command {}

    private DashboardHub() {}

    static Behavior<Command> create() {
        return Behaviors.setup(ctx -> {
            ActorRef<Topic.Command<RunUpdate>> topic =
                    ctx.spawn(Topic.create(RunUpdate.class, Protocol.RUN_EVENTS), "run-events");
            topic.tell(Topic.subscribe(ctx.messageAdapter(RunUpdate.class, Update::new)));
            Map<String, Deque<RunUpdate>> kept = new LinkedHashMap<>();
            Map<String, Set<SourceQueueWithComplete<RunUpdate>>> streams = new HashMap<>();
            return Behaviors.receive(Command.class)
                    .onMessage(Update.class, m -> {
                        RunUpdate u = m.update();
                        Deque<RunUpdate> k = kept.computeIfAbsent(u.runId(), x -> new ArrayDeque<>());
                        while (kept.size() > RUNS) {
                            kept.remove(kept.keySet().iterator().next());
                        }
                        k.addLast(u);
                        while (k.size() > KEPT) {
                            k.removeFirst();
                        }
                        for (SourceQueueWithComplete<RunUpdate> q : streams.getOrDefault(u.runId(), Set.of())) {
                            q.offer(u); // the queue drops its oldest when a slow page falls far behind
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Register.class, m -> {
                        streams.computeIfAbsent(m.runId(), x -> new HashSet<>()).add(m.queue());
                        m.replyTo().tell(new ArrayList<>(kept.getOrDefault(m.runId(), new ArrayDeque<>())));
                        return Behaviors.same();
                    })
                    .onMessage(Unregister.class, m -> {
                        Set<SourceQueueWithComplete<RunUpdate>> s = streams.get(m.runId());
                        if (s != null) {
                            s.remove(m.queue());
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
