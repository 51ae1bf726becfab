package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nodes in separate JVMs, killed with SIGKILL mid-run. */
class SeparateProcessesTest {
    static Process java(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dai.djl.offline=true",
                "-Dchimera.engine.idle-poll=200ms",
                "-Dchimera.engine.tick=100ms",
                "-Dpekko.cluster.split-brain-resolver.stable-after=3s",
                "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=2s",
                "-Dpekko.cluster.failure-detector.heartbeat-interval=300ms",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.chimera.cli.Main"));
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
    }
}
