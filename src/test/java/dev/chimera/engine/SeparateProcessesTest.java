package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunState;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nodes in separate JVMs, killed with SIGKILL mid-run. */
class SeparateProcessesTest {
    /**
     * Failure detection and downing in seconds rather than tens of seconds, so the suite stays short; with
     * {@code -Dchimera.test.default-timing=true} the failover test runs with the shipped defaults instead (how
     * docs/benchmarks.md measured them).
     */
    static final boolean DEFAULT_TIMING = Boolean.getBoolean("chimera.test.default-timing");

    static final List<String> FAST_CLUSTER = List.of(
            "-Dpekko.cluster.split-brain-resolver.stable-after=3s",
            "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=2s",
            "-Dpekko.cluster.failure-detector.heartbeat-interval=300ms");

    static Process java(Path log, String... args) throws Exception {
        return java(log, List.of(), args);
    }

    static Process java(Path log, List<String> properties, String... args) throws Exception {
        return java(log, System.getProperty("java.class.path"), properties, args);
    }

    /** A Chimera CLI in a JVM of its own with this class path, its output in {@code log}. */
    static Process java(Path log, String classPath, List<String> properties, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dai.djl.offline=true",
                "-Dchimera.engine.idle-poll=200ms",
                "-Dchimera.engine.tick=100ms",
                "-cp",
                classPath,
                "dev.chimera.cli.Main"));
        if (!DEFAULT_TIMING) {
            cmd.addAll(cmd.size() - 3, FAST_CLUSTER);
        }
        cmd.addAll(cmd.size() - 3, properties);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    static long evaluatedLines(Path runDir) {
        try {
            return Files.exists(runDir.resolve(Journal.FILE))
                    ? Files.readAllLines(runDir.resolve(Journal.FILE)).stream()
                            .filter(l -> l.contains("\"evaluated\""))
                            .count()
                    : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    @Test
    void aWorkerProcessKilledMidRunLosesNothingAndDuplicatesNothing(@TempDir Path tmp) throws Exception {
        List<Process> children = new ArrayList<>();
        try (Node coordinatorNode = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu"))) {
            for (int i = 0; i < 2; i++) {
                children.add(java(
                        tmp.resolve("worker" + i + ".log"),
                        "join",
                        "--join",
                        coordinatorNode.clusterAddress(),
                        "--port",
                        "0",
                        "--control-port",
                        "-1",
                        "--devices",
                        "cpu"));
            }
            try {
                ClusterRunTest.awaitMembers(coordinatorNode, 3);
            } catch (AssertionError e) {
                throw new AssertionError(
                        e.getMessage() + "; worker logs:\n" + Files.readString(tmp.resolve("worker0.log")) + "\n"
                                + Files.readString(tmp.resolve("worker1.log")));
            }
            Path f = EngineTestSupport.syntheticRun(
                    tmp, "kill", 9, "cmaes", "population = 6", "generations = 12", "60ms");
            assertTrue(coordinatorNode
                    .submit(EngineTestSupport.render(f), null)
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS)
                    .ok());
            Path runDir = tmp.resolve("out-kill");
            // wait until the first child has evaluated something, then SIGKILL it mid-run
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String victim = null;
            while (victim == null && System.nanoTime() < end) {
                for (RunEvent.Evaluated e : EngineTestSupport.evaluated(Journal.read(runDir))) {
                    if (!e.worker()
                            .startsWith(coordinatorNode.clusterAddress().replace("127.0.0.1", "chimera@127.0.0.1"))) {
                        victim = e.worker();
                    }
                }
                Thread.sleep(20);
            }
            assertTrue(victim != null, "no child worker took work");
            // which child is it? kill the one whose log names its address
            Process killed = null;
            for (int i = 0; i < children.size(); i++) {
                String log = Files.readString(tmp.resolve("worker" + i + ".log"));
                if (log.contains(victim.substring(0, victim.indexOf('/')).replace("chimera@", ""))) {
                    killed = children.get(i);
                }
            }
            assertTrue(killed != null, "cannot tell which child runs " + victim);
            killed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Protocol.Status s = EngineTestSupport.await(coordinatorNode, "kill", 180);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
            assertArrayEquals(SingleNodeRunTest.plainLoop(9, 12, 6), s.best(), 0.0);
            List<RunEvent.Evaluated> ev = EngineTestSupport.evaluated(Journal.read(runDir));
            assertEquals(72, ev.size());
            assertEquals(
                    72,
                    ev.stream().map(RunEvent.Evaluated::id).distinct().count(),
                    "every candidate journaled exactly once");
        } finally {
            for (Process p : children) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void aCoordinatorProcessKilledMidRunIsResumedFromItsFolderWithTheSameResult(@TempDir Path tmp) throws Exception {
        Path f = EngineTestSupport.syntheticRun(tmp, "crash", 4, "cmaes", "population = 6", "generations = 10", "40ms");
        Path runDir = tmp.resolve("out-crash");
        Process p = java(tmp.resolve("run.log"), "run", f.toString(), "--devices", "cpu:2");
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (evaluatedLines(runDir) < 20 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertTrue(
                    evaluatedLines(runDir) >= 20,
                    "the run did not get going: " + Files.readString(tmp.resolve("run.log")));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        long before = evaluatedLines(runDir);
        assertTrue(before < 60, "killed too late: " + before);
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:2"))) {
            Protocol.SubmitReply r =
                    node.submit(null, runDir.toString()).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertTrue(r.ok(), r.error());
            Protocol.Status s = EngineTestSupport.await(node, "crash", 120);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
            assertArrayEquals(SingleNodeRunTest.plainLoop(4, 10, 6), s.best(), 0.0);
        }
        List<RunEvent.Evaluated> ev = EngineTestSupport.evaluated(Journal.read(runDir));
        assertEquals(60, ev.size());
        assertEquals(60, ev.stream().map(RunEvent.Evaluated::id).distinct().count());
        List<RunEvent> all = Journal.read(runDir);
        assertEquals(2, all.stream().filter(e -> e instanceof RunEvent.Started).count(), "one start, one resume");
        // what was in flight at the kill is journaled as its second try
        int resumedAt = 0;
        for (int i = 0; i < all.size(); i++) {
            resumedAt = all.get(i) instanceof RunEvent.Started ? i : resumedAt;
        }
        assertTrue(
                all.subList(resumedAt, all.size()).stream()
                        .anyMatch(e -> e instanceof RunEvent.Evaluated x && x.attempt() == 2),
                "no candidate journaled as attempt 2 after the resume");
    }

    /**
     * The coordinator's node is killed (SIGKILL): the singleton moves to the oldest node left, whose coordinator finds
     * the run in the active-runs folder and continues it from its folder, with no command; nothing is lost or redone.
     */
    @Test
    void aKilledCoordinatorsRunIsContinuedByTheNextCoordinatorWithoutACommand(@TempDir Path tmp) throws Exception {
        Path active = tmp.resolve("active-runs");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String seed = "127.0.0.1:" + port;
        Process first = java(
                tmp.resolve("first.log"),
                List.of("-Dchimera.engine.active-runs=" + active),
                "node",
                "--port",
                Integer.toString(port),
                "--control-port",
                "-1",
                "--devices",
                "cpu");
        List<Node> nodes = new ArrayList<>();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(tmp.resolve("first.log")).contains("joined:") && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            Config adopting = ConfigFactory.parseMap(
                            Map.of("chimera.engine.adopt-runs", true, "chimera.engine.active-runs", active.toString()))
                    .withFallback(
                            DEFAULT_TIMING
                                    ? ConfigFactory.parseMap(Map.of("chimera.engine.fsync", false))
                                            .withFallback(Node.loadConfig(null))
                                    : EngineTestSupport.config());
            for (int i = 0; i < 2; i++) {
                nodes.add(Node.start(
                        adopting, EngineTestSupport.localOptions("cpu").withSeeds(List.of(seed))));
            }
            ClusterRunTest.awaitMembers(nodes.get(0), 3);
            Path f = EngineTestSupport.syntheticRun(
                    tmp, "moved", 5, "cmaes", "population = 6", "generations = 12", "60ms");
            Protocol.SubmitReply r = nodes.get(0)
                    .submit(EngineTestSupport.render(f), null)
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            assertTrue(r.ok(), r.error());
            Path runDir = tmp.resolve("out-moved");
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (evaluatedLines(runDir) < 15 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertEquals(
                    runDir.toAbsolutePath().toString(),
                    Files.readString(active.resolve("moved")).trim(),
                    "the run is registered while it runs");
            List<RunEvent> before = Journal.read(runDir);
            assertTrue(((RunEvent.Started) before.get(0)).node().contains(seed), "the first node coordinated");
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            long evaluatedAtKill = evaluatedLines(runDir);
            // work resumes by itself: a second session starts and evaluates
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (Journal.read(runDir).stream()
                                    .filter(e -> e instanceof RunEvent.Started)
                                    .count()
                            < 2
                    && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            while (evaluatedLines(runDir) <= evaluatedAtKill && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            System.out.printf(
                    "failover: work resumed %.1f s after the coordinator's node was killed%n",
                    (System.nanoTime() - killed) / 1e9);
            Protocol.Status s = EngineTestSupport.await(nodes.get(0), "moved", 120);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
            assertArrayEquals(SingleNodeRunTest.plainLoop(5, 12, 6), s.best(), 0.0);
            List<RunEvent> all = Journal.read(runDir);
            List<RunEvent.Evaluated> ev = EngineTestSupport.evaluated(all);
            assertEquals(72, ev.size());
            assertEquals(72, ev.stream().map(RunEvent.Evaluated::id).distinct().count(), "each candidate once");
            List<RunEvent.Started> starts = all.stream()
                    .filter(e -> e instanceof RunEvent.Started)
                    .map(e -> (RunEvent.Started) e)
                    .toList();
            assertEquals(2, starts.size());
            assertTrue(starts.get(1).resumed() && !starts.get(1).node().contains(seed), starts.toString());
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(active.resolve("moved")) && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(!Files.exists(active.resolve("moved")), "a finished run leaves the registry");
        } finally {
            first.destroyForcibly();
            for (Node n : nodes) {
                n.close();
            }
        }
    }
}
