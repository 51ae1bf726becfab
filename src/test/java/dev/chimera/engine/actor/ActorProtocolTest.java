package dev.chimera.engine.actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.chimera.engine.EngineTestSupport;
import dev.chimera.engine.Node;
import dev.chimera.engine.actor.Protocol.Assign;
import dev.chimera.engine.actor.Protocol.CoordinatorCommand;
import dev.chimera.engine.actor.Protocol.RequestWork;
import dev.chimera.engine.actor.Protocol.WorkDone;
import dev.chimera.engine.actor.Protocol.WorkerCommand;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.run.RunState;
import dev.chimera.engine.work.Outcome;
import dev.chimera.engine.work.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Coordinator and the Merger/Evaluator pair, each against probes. */
class ActorProtocolTest {
    static final ActorTestKit KIT =
            ActorTestKit.create(ConfigFactory.parseString("""
            pekko.actor.provider = local
            chimera.engine.fsync = false
            """).withFallback(Node.loadConfig(null)));

    @AfterAll
    static void down() {
        KIT.shutdownTestKit();
    }

    static double sphere(double[] x) {
        double s = 0;
        for (double v : x) {
            s += (v - 0.3) * (v - 0.3);
        }
        return -s;
    }

    static TestProbe<WorkerCommand> worker() {
        TestProbe<WorkerCommand> p = KIT.createTestProbe(WorkerCommand.class);
        TestProbe<Receptionist.Registered> ack = KIT.createTestProbe(Receptionist.Registered.class);
        KIT.system().receptionist().tell(Receptionist.register(Protocol.WORKERS, p.getRef(), ack.getRef()));
        ack.expectMessageClass(Receptionist.Registered.class);
        return p;
    }

    @Test
    void timedOutWorkIsHandedOutAgainAndTheLateResultIsDropped(@TempDir Path tmp) throws Exception {
        ActorRef<CoordinatorCommand> c = KIT.spawn(Coordinator.create(new Coordinator.Settings(
                Duration.ofMillis(500), Duration.ofMillis(50), 3, false, "chimera.engine.blocking-dispatcher", null)));
        TestProbe<WorkerCommand> slow = worker();
        TestProbe<WorkerCommand> fast = worker();
        TestProbe<Protocol.SubmitReply> reply = KIT.createTestProbe(Protocol.SubmitReply.class);
        String spec = EngineTestSupport.render(
                EngineTestSupport.syntheticRun(tmp, "proto", 1, "cmaes", "population = 4", "generations = 1", "0ms"));
        c.tell(new Protocol.Submit(spec, null, reply.getRef()));
        assertTrue(reply.expectMessageClass(Protocol.SubmitReply.class, Duration.ofSeconds(20))
                .ok());

        c.tell(new RequestWork(slow.getRef(), "slow", 2));
        Assign a0 = slow.expectMessageClass(Assign.class);
        Assign a1 = slow.expectMessageClass(Assign.class);
        // nothing else for the slow worker; after the timeout its two candidates go to the fast one
        c.tell(new RequestWork(fast.getRef(), "fast", 4));
        List<Assign> got = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Assign a = fast.expectMessageClass(Assign.class);
            got.add(a);
            c.tell(new WorkDone("proto", a.candidateId(), 0, "fast", new double[] {sphere(a.genes())}, Map.of(), 1, 2));
        }
        for (int i = 0; i < 2; i++) {
            Assign a = fast.expectMessageClass(Assign.class, Duration.ofSeconds(5));
            got.add(a);
            c.tell(new WorkDone("proto", a.candidateId(), 0, "fast", new double[] {sphere(a.genes())}, Map.of(), 1, 2));
        }
        assertEquals(
                List.of(2L, 3L, 0L, 1L), got.stream().map(Assign::candidateId).toList());
        assertEquals(0L, a0.candidateId());
        assertEquals(1L, a1.candidateId());
        // the slow worker wakes up with a wrong value: dropped
        c.tell(new WorkDone("proto", 0, 0, "slow", new double[] {42}, Map.of(), 1, 2));
        TestProbe<Protocol.Status> status = KIT.createTestProbe(Protocol.Status.class);
        Protocol.Status s = null;
        for (int i = 0; i < 100; i++) {
            c.tell(new Protocol.GetStatus("proto", status.getRef()));
            s = status.expectMessageClass(Protocol.Status.class);
            if (s.done()) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals(RunState.Status.FINISHED, s.state());
        List<RunEvent.Evaluated> ev = EngineTestSupport.evaluated(Journal.read(tmp.resolve("out-proto")));
        assertEquals(4, ev.size());
        for (RunEvent.Evaluated e : ev) {
            assertEquals(sphere(e.genes()), e.objectives()[0], 0.0);
            assertEquals("fast", e.worker());
            assertEquals(e.id() < 2 ? 2 : 1, e.attempt());
        }
    }

    /** Records when builds and evaluations start and end. */
    static final class TimedWorkload implements Workload {
        final Map<String, Long> t = new ConcurrentHashMap<>();

        @Override
        public Built build(double[] genes) {
            int id = (int) genes[0];
            t.put("build-start-" + id, System.nanoTime());
            sleep(150);
            t.put("build-end-" + id, System.nanoTime());
            return new Built() {
                @Override
                public double[] genes() {
                    return genes.clone();
                }

                @Override
                public void close() {
                    t.put("closed-" + id, System.nanoTime());
                }
            };
        }

        @Override
        public Outcome evaluate(Built candidate, int from, int rung) {
            int id = (int) candidate.genes()[0];
            t.put("eval-start-" + id, System.nanoTime());
            sleep(300);
            t.put("eval-end-" + id, System.nanoTime());
            return new Outcome(new double[] {id * 10}, Map.of());
        }

        @Override
        public void close() {}

        static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aMergerPipelinesBuildsWithEvaluationsAndPullsAsSlotsFree() {
        TestProbe<CoordinatorCommand> coord = KIT.createTestProbe(CoordinatorCommand.class);
        TimedWorkload w = new TimedWorkload();
        ActorRef<WorkerCommand> merger = KIT.spawn(Merger.create(
                new Merger.Settings(
                        "w",
                        "cpu",
                        2,
                        Duration.ofSeconds(60),
                        "chimera.engine.blocking-dispatcher",
                        (setup, device) -> w),
                coord.getRef()));
        RequestWork first = coord.expectMessageClass(RequestWork.class);
        assertEquals(2, first.slots());
        var setup = new RunSetup("r", "", Map.of());
        merger.tell(new Assign("r", 1, new double[] {1}, setup));
        merger.tell(new Assign("r", 2, new double[] {2}, setup));
        WorkDone d1 = coord.expectMessageClass(WorkDone.class, Duration.ofSeconds(5));
        assertEquals(1, d1.candidateId());
        assertEquals(10.0, d1.objectives()[0]);
        assertTrue(d1.mergeMillis() >= 150 && d1.evalMillis() >= 300, d1.toString());
        RequestWork again = coord.expectMessageClass(RequestWork.class, Duration.ofSeconds(5));
        assertEquals(1, again.slots());
        WorkDone d2 = coord.expectMessageClass(WorkDone.class, Duration.ofSeconds(5));
        assertEquals(2, d2.candidateId());
        // candidate 2 was built while candidate 1 was evaluated, and each candidate's tensors were freed
        assertTrue(w.t.get("build-end-2") < w.t.get("eval-end-1"), "no overlap: " + w.t);
        assertTrue(w.t.get("closed-1") >= w.t.get("eval-end-1"));
        assertTrue(w.t.containsKey("closed-2"));
    }
}
