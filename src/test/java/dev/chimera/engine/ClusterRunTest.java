package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cli.CliRun;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunState;
import dev.chimera.engine.work.WorkloadException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes (ActorSystems) on 127.0.0.1 in one JVM. */
class ClusterRunTest {
    static void awaitMembers(Node node, int n) throws InterruptedException {
        Cluster c = Cluster.get(node.system());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < end) {
            long up = StreamSupport.stream(c.state().getMembers().spliterator(), false)
                    .filter(m -> m.status() == MemberStatus.up())
                    .count();
            if (up == n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("cluster did not reach " + n + " members");
    }

    @Test
    void threeNodesShareOneRunAndANodeLeavingMidRunLosesNothing(@TempDir Path tmp) throws Exception {
        List<Node> nodes = new ArrayList<>();
        try {
            Node first = Node.start(
                    EngineTestSupport.config(),
                    EngineTestSupport.localOptions("cpu").withControlPort(0).withToken("t0k"));
            nodes.add(first);
            for (int i = 0; i < 2; i++) {
                nodes.add(Node.start(
                        EngineTestSupport.config(),
                        EngineTestSupport.localOptions("cpu").withSeeds(List.of(first.clusterAddress()))));
            }
            awaitMembers(first, 3);
            // the cluster view: every member up and reachable, the coordinator on the oldest node, a worker per node
            assertTrue(nodes.get(2).awaitUp(Duration.ofSeconds(30)));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Protocol.ClusterView view = first.cluster().toCompletableFuture().get(30, TimeUnit.SECONDS);
            while (view.workers().size() < 3 && System.nanoTime() < until) {
                Thread.sleep(100); // idle workers announce themselves every idle-poll
                view = first.cluster().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            assertEquals(3, view.members().size(), view.toString());
            assertTrue(
                    view.members().stream().allMatch(m -> m.status().equals("up") && m.reachable()), view.toString());
            assertEquals("chimera@" + first.clusterAddress(), view.coordinator());
            assertEquals(3, view.workers().size(), view.toString());
            assertTrue(view.workers().stream().allMatch(w -> w.device().startsWith("cpu") && w.inFlight() == 0));
            assertEquals(
                    nodes.stream()
                            .map(n -> "chimera@" + n.clusterAddress())
                            .sorted()
                            .toList(),
                    view.workers().stream()
                            .map(Protocol.WorkerSlot::node)
                            .sorted()
                            .toList());
            // chimera status with no run shows it
            CliRun status = CliRun.of("status", "--node", first.controlAddress(), "--token", "t0k");
            assertEquals(0, status.code(), status.err());
            assertTrue(
                    status.out()
                            .startsWith("cluster: 3 member(s), coordinator on chimera@" + first.clusterAddress()
                                    + ", no active run"),
                    status.out());
            // and chimera cluster, with the members and every worker
            CliRun cluster = CliRun.of("cluster", "--node", first.controlAddress(), "--token", "t0k");
            assertEquals(0, cluster.code(), cluster.err());
            assertEquals(status.out(), cluster.out());
            assertEquals(
                    3,
                    cluster.out().lines().filter(l -> l.startsWith("  member ")).count(),
                    cluster.out());
            assertEquals(
                    3,
                    cluster.out()
                            .lines()
                            .filter(l -> l.startsWith("  worker cpu#0 on "))
                            .count(),
                    cluster.out());
            Path f = EngineTestSupport.syntheticRun(
                    tmp, "cluster", 21, "cmaes", "population = 6", "generations = 10", "30ms");
            // submitted through a node that does not host the coordinator
            Protocol.SubmitReply r = nodes.get(2)
                    .submit(EngineTestSupport.render(f), null)
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            assertTrue(r.ok(), r.error());
            while (first.status("cluster").toCompletableFuture().get().evaluations() < 20) {
                Thread.sleep(20);
            }
            nodes.remove(2).close();
            Protocol.Status s = EngineTestSupport.await(first, "cluster", 120);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
            assertArrayEquals(SingleNodeRunTest.plainLoop(21, 10, 6), s.best(), 0.0);
            List<RunEvent.Evaluated> ev = EngineTestSupport.evaluated(Journal.read(tmp.resolve("out-cluster")));
            assertEquals(60, ev.size());
            assertEquals(60, ev.stream().map(RunEvent.Evaluated::id).distinct().count());
            Set<String> hosts = ev.stream()
                    .map(e -> e.worker().substring(0, e.worker().indexOf('/')))
                    .collect(Collectors.toSet());
            assertEquals(3, hosts.size(), "every node's worker evaluated candidates: " + hosts);
        } finally {
            for (Node n : nodes) {
                n.close();
            }
        }
    }

    @Test
    void aNodeThatCannotTakePartRefusesAndTheOthersFinishTheRun(@TempDir Path tmp) throws Exception {
        Node good = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu"));
        Node bad = null;
        try {
            bad = Node.start(
                    EngineTestSupport.config(),
                    EngineTestSupport.localOptions("cpu")
                            .withSeeds(List.of(good.clusterAddress()))
                            .withWorkloads((setup, device) -> {
                                throw new WorkloadException(
                                        "model folder /models/expert-b (run.models.b) is missing on this node");
                            }));
            awaitMembers(good, 2);
            Path f =
                    EngineTestSupport.syntheticRun(tmp, "partial", 2, "random", "batch = 4", "evaluations = 20", "5ms");
            assertTrue(good.submit(EngineTestSupport.render(f), null)
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS)
                    .ok());
            Protocol.Status s = EngineTestSupport.await(good, "partial", 120);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
            assertEquals(20, s.evaluations());
            Protocol.WorkerStatus refused = s.workers().stream()
                    .filter(w -> w.refused() != null)
                    .findFirst()
                    .orElseThrow();
            assertTrue(refused.refused().contains("run.models.b"), refused.refused());
            assertTrue(
                    refused.id().startsWith(bad.clusterAddress().replace("127.0.0.1", "chimera@127.0.0.1")),
                    refused.id());
        } finally {
            if (bad != null) {
                bad.close();
            }
            good.close();
        }
    }
}
