package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.ControlAction;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunState;
import dev.chimera.search.Bounds;
import dev.chimera.search.Candidate;
import dev.chimera.search.Evaluation;
import dev.chimera.search.Optimizer;
import dev.chimera.search.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SingleNodeRunTest {
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:2"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** The same search driven by a plain ask/tell loop, outside the engine. */
    static double[] plainLoop(long seed, int generations) {
        return plainLoop(seed, generations, 6);
    }

    static double[] plainLoop(long seed, int generations, int population) {
        Optimizer o = Optimizers.create(
                "cmaes", Bounds.uniform(4, -1, 1), 1, seed, ConfigFactory.parseString("population = " + population));
        while (o.generation() < generations) {
            for (Candidate c : o.ask(Integer.MAX_VALUE)) {
                double s = 0;
                for (double x : c.genes()) {
                    s += (x - 0.3) * (x - 0.3);
                }
                o.tell(c.id(), new double[] {-s});
            }
        }
        Evaluation best = o.best().get(0);
        return best.objectives();
    }

    @Test
    void runMatchesAPlainAskTellLoopAndJournalsEachCandidateOnce(@TempDir Path tmp) throws Exception {
        Path f = EngineTestSupport.syntheticRun(tmp, "plain", 11, "cmaes", "population = 6", "generations = 5", "2ms");
        Protocol.Status s = EngineTestSupport.runToEnd(node, f, "plain", 120);
        assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        assertEquals(30, s.evaluations());
        assertArrayEquals(plainLoop(11, 5), s.best(), 0.0);

        List<RunEvent.Evaluated> ev = EngineTestSupport.evaluated(Journal.read(tmp.resolve("out-plain")));
        Set<Long> ids = new TreeSet<>();
        ev.forEach(e -> ids.add(e.id()));
        assertEquals(30, ev.size());
        assertEquals(30, ids.size());
        assertEquals(0L, ids.iterator().next());
        // the value journaled is the function at the journaled genes (sphere, centre 0.3)
        for (RunEvent.Evaluated e : ev) {
            double sum = 0;
            for (double x : e.genes()) {
                sum += (x - 0.3) * (x - 0.3);
            }
            assertEquals(-sum, e.objectives()[0], 1e-12);
        }
        // both CPU slots took work
        assertEquals(2, ev.stream().map(RunEvent.Evaluated::worker).distinct().count());
        Path out = tmp.resolve("out-plain");
        for (String file : List.of("run.conf", "results.csv", "best.json", "generations.csv", "optimizer.json")) {
            assertTrue(Files.exists(out.resolve(file)), file);
        }
        assertEquals(31, Files.readAllLines(out.resolve("results.csv")).size());
        assertEquals(6, Files.readAllLines(out.resolve("generations.csv")).size());
    }

    @Test
    void stopThenResumeEndsWhereAnUninterruptedRunEnds(@TempDir Path tmp) throws Exception {
        Path f = EngineTestSupport.syntheticRun(
                tmp, "interrupted", 5, "cmaes", "population = 6", "generations = 8", "20ms");
        assertTrue(node.submit(EngineTestSupport.render(f), null)
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS)
                .ok());
        // stop after some evaluations, mid-run
        while (node.status("interrupted").toCompletableFuture().get().evaluations() < 14) {
            Thread.sleep(20);
        }
        Protocol.Status stopped = node.control("interrupted", ControlAction.STOP)
                .toCompletableFuture()
                .get();
        assertFalse(stopped.done() && stopped.state() == RunState.Status.FINISHED);
        Protocol.Status s1 = EngineTestSupport.await(node, "interrupted", 60);
        assertEquals(RunState.Status.STOPPED, s1.state());
        long before = EngineTestSupport.evaluated(Journal.read(tmp.resolve("out-interrupted")))
                .size();
        assertTrue(before >= 14 && before < 48, "evaluated before the stop: " + before);

        Protocol.SubmitReply r = node.submit(
                        null, tmp.resolve("out-interrupted").toString())
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        assertTrue(r.ok(), r.error());
        Protocol.Status s2 = EngineTestSupport.await(node, "interrupted", 120);
        assertEquals(RunState.Status.FINISHED, s2.state(), s2.finishReason());
        assertArrayEquals(plainLoop(5, 8), s2.best(), 0.0);
        List<RunEvent.Evaluated> ev = EngineTestSupport.evaluated(Journal.read(tmp.resolve("out-interrupted")));
        assertEquals(48, ev.size());
        assertEquals(48, ev.stream().map(RunEvent.Evaluated::id).distinct().count(), "each candidate journaled once");
        // one generation event per completed generation, across the stop (a resume used to repeat the last one)
        List<Long> generations = Journal.read(tmp.resolve("out-interrupted")).stream()
                .filter(e -> e instanceof RunEvent.GenerationDone)
                .map(e -> ((RunEvent.GenerationDone) e).generation())
                .toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), generations);
        assertEquals(
                9,
                Files.readAllLines(tmp.resolve("out-interrupted").resolve("generations.csv"))
                        .size());
    }
}
