package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.control.RunFollower;
import dev.chimera.engine.run.ControlAction;
import dev.chimera.engine.run.ItemChoice;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.Racing;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunFolder;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Multi-fidelity runs on synthetic items (no models): promotions are jobs on any worker, journaled, resumable, and a
 * promotion answers only the items its candidate has not answered.
 */
class MultiFidelityRunTest {
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:2"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static Path run(Path dir, String name, String algorithm, String settings, String budget, String objectives)
            throws Exception {
        return run(dir, name, algorithm, settings, budget, objectives, "");
    }

    static Path run(
            Path dir, String name, String algorithm, String settings, String budget, String objectives, String more)
            throws Exception {
        Path f = dir.resolve(name + ".conf");
        Files.writeString(
                f, """
                run {
                  name = %s
                  output = "%s"
                  seed = 3
                  genome { type = box, dimension = 3, min = -1, max = 1 }
                  algorithm { name = %s, settings { %s } }
                  objectives = [ %s ]
                  fidelity { rungs = [20, 80], eta = 3, z = 1.0 %s}
                  budget { %s }
                }
                """.formatted(name, dir.resolve("out-" + name), algorithm, settings, objectives, more, budget));
        return f;
    }

    static final String SPHERE = "{ name = f, synthetic = sphere, center = 0.3, items = 400, cost = 2ms }";

    /** Candidate -> rung -> items answered at that rung. */
    static Map<Long, Map<Integer, Set<String>>> answered(List<RunEvent> events) {
        Map<Long, Map<Integer, Set<String>>> out = new TreeMap<>();
        for (RunEvent e : events) {
            if (e instanceof RunEvent.Evaluated ev) {
                Set<String> s = new HashSet<>(ev.items().get("f").keySet());
                assertTrue(
                        out.computeIfAbsent(ev.id(), k -> new TreeMap<>()).put(ev.rung(), s) == null,
                        "twice: " + ev.id());
            } else if (e instanceof RunEvent.Refined r) {
                Set<String> s = new HashSet<>(r.items().get("f").keySet());
                assertTrue(
                        out.computeIfAbsent(r.id(), k -> new TreeMap<>()).put(r.rung(), s) == null,
                        "twice: " + r.id() + "@" + r.rung());
            }
        }
        return out;
    }

    @Test
    void candidatesRaceUpTheRungsAndTheOptimizerIsToldEachOnce(@TempDir Path tmp) throws Exception {
        Path f = run(tmp, "mf", "cmaes", "population = 6, mean0 = [0, 0, 0]", "evaluations = 36", SPHERE);
        Protocol.Status s = EngineTestSupport.runToEnd(node, f, "mf", 120);
        assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        List<RunEvent> events = Journal.read(tmp.resolve("out-mf"));
        RunState state = RunState.replay(events);

        // the start point is scored on all 400 items before anything else is decided
        Map<Long, Map<Integer, Set<String>>> answered = answered(events);
        assertEquals(400, answered.get(-1L).get(2).size());
        for (long id = 0; id < 36; id++) {
            Map<Integer, Set<String>> rungs = answered.get(id);
            assertEquals(20, rungs.get(0).size(), "candidate " + id + " answers the first rung");
            int total = 0;
            Set<String> all = new HashSet<>();
            for (Set<String> items : rungs.values()) {
                total += items.size();
                all.addAll(items);
            }
            assertEquals(total, all.size(), "a promotion answers only items not answered before: " + id);
            assertEquals(List.of(20, 80, 400).get(rungs.size() - 1), all.size());
            RunEvent.Scored sc = state.fidelity().scored().get(id);
            assertEquals(rungs.size() - 1, sc.rung());
        }
        // every race ended once and was told once: 6 generations of 6
        assertEquals(36, state.fidelity().scored().size());
        assertEquals(6, state.generations().size());
        // halving: at most ceil(6 / 3) = 2 per generation reach rung 1, at most 1 the whole split
        long atOne = state.fidelity().scored().values().stream()
                .filter(x -> x.rung() >= 1)
                .count();
        long atTop = state.fidelity().scored().values().stream()
                .filter(x -> x.rung() == 2)
                .count();
        assertTrue(atOne <= 12 && atTop <= 6, atOne + " " + atTop);
        // items spent: far below 36 x 400
        long items = state.fidelity().items();
        assertTrue(items < 36 * 400 / 3, "items " + items);
        assertEquals(
                answered.values().stream()
                        .flatMap(m -> m.values().stream())
                        .mapToLong(Set::size)
                        .sum(),
                items);

        // the answer: the best on the whole split, never below the start point, compared with it
        var selection =
                new ObjectMapper().readTree(tmp.resolve("out-mf/selection.json").toFile());
        long winner = selection.get("ids").get(0).asLong();
        assertEquals(2, state.fidelity().rung(winner));
        double start = state.fidelity().of(-1).get("f").values().stream()
                .mapToInt(Integer::intValue)
                .average()
                .orElseThrow();
        double best = selection.get("values").get(0).get(0).asDouble();
        assertTrue(best >= start, best + " vs start " + start);
        for (long id : state.fidelity().rungs().keySet()) {
            if (state.fidelity().rung(id) == 2) {
                double v = state.fidelity().of(id).get("f").values().stream()
                        .mapToInt(Integer::intValue)
                        .average()
                        .orElseThrow();
                assertTrue(v <= best, "winner is the best on the whole split");
            }
        }
        if (winner != -1) {
            var c = selection.get("comparisons").get(0);
            assertEquals("start point", c.get("against").asText());
            assertEquals(best - start, c.get("interval").get("difference").asDouble(), 1e-12);
            assertTrue(c.get("interval").get("low").asDouble()
                    <= c.get("interval").get("difference").asDouble());
        }
        assertEquals(best, s.best()[0], 1e-12, "the status reports the best exact score");
        assertEquals(items, s.items());
        assertTrue(
                state.fidelity().rungs().entrySet().stream().noneMatch(e -> e.getKey() >= 0 && e.getValue() == 2)
                        ? Double.isNaN(s.estimatorError())
                        : s.estimatorError() >= 0 && s.estimatorError() <= 1,
                "" + s.estimatorError());
        assertTrue(RunFollower.line(s).contains(items + " items"));
    }

    /**
     * Stopped midway and resumed, a race takes the same decisions as without the stop; with the {@code irt} estimator
     * the same fits too (each cohort's rows are journaled), and the calibration merges are reference points.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", ", estimator = irt, calibration = 4"})
    void aStoppedRaceResumesWithTheSameDecisions(String more, @TempDir Path tmp) throws Exception {
        String tag = more.isEmpty() ? "" : "-irt";
        Path whole =
                run(tmp, "whole" + tag, "cmaes", "population = 6, mean0 = [0, 0, 0]", "evaluations = 30", SPHERE, more);
        EngineTestSupport.runToEnd(node, whole, "whole" + tag, 120);
        RunState expectedState = RunState.replay(Journal.read(tmp.resolve("out-whole" + tag)));
        Map<Long, RunEvent.Scored> expected = expectedState.fidelity().scored();

        Path f = run(
                tmp,
                "cut" + tag,
                "cmaes",
                "population = 6, mean0 = [0, 0, 0]",
                "evaluations = 30",
                SPHERE.replace("cost = 2ms", "cost = 20ms"),
                more);
        assertTrue(node.submit(EngineTestSupport.render(f), null)
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS)
                .ok());
        while (node.status("cut" + tag).toCompletableFuture().get().evaluations() < 12) {
            Thread.sleep(20);
        }
        node.control("cut" + tag, ControlAction.STOP).toCompletableFuture().get();
        assertEquals(
                RunState.Status.STOPPED,
                EngineTestSupport.await(node, "cut" + tag, 60).state());
        int before = Journal.read(tmp.resolve("out-cut" + tag)).size();
        assertTrue(node.submit(null, tmp.resolve("out-cut" + tag).toString())
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS)
                .ok());
        Protocol.Status s = EngineTestSupport.await(node, "cut" + tag, 120);
        assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        List<RunEvent> events = Journal.read(tmp.resolve("out-cut" + tag));
        assertTrue(events.size() > before);
        answered(events); // no job journaled twice across the stop
        RunState state = RunState.replay(events);
        Map<Long, RunEvent.Scored> got = state.fidelity().scored();
        assertEquals(expected.keySet(), got.keySet());
        for (long id : expected.keySet()) {
            assertEquals(expected.get(id).rung(), got.get(id).rung(), "rung of " + id);
            assertEquals(expected.get(id).objectives()[0], got.get(id).objectives()[0], 0.0, "value of " + id);
        }
        assertEquals(expectedState.fidelity().fits(), state.fidelity().fits());
        if (!more.isEmpty()) {
            // the start point and 4 calibration merges on the whole split: 5 rows, enough for the first cohort's fit
            for (long ref = -1; ref >= -5; ref--) {
                assertEquals(2, state.fidelity().rung(ref), "reference point " + ref);
            }
            assertEquals(
                    List.of(-5L, -4L, -3L, -2L, -1L), state.fidelity().fits().get(0L));
            // every cohort's rows are the reference points and what earlier cohorts took to the whole split
            for (Map.Entry<Long, List<Long>> e : state.fidelity().fits().entrySet()) {
                assertTrue(e.getValue().containsAll(List.of(-5L, -4L, -3L, -2L, -1L)), e.toString());
                for (long id : e.getValue()) {
                    assertEquals(2, state.fidelity().rung(id), "row " + id + " of cohort " + e.getKey());
                }
            }
            var selection = new ObjectMapper()
                    .readTree(tmp.resolve("out-cut" + tag + "/selection.json").toFile());
            assertEquals("irt", selection.get("estimator").asText());
            List<String> against = new ArrayList<>();
            selection
                    .get("comparisons")
                    .forEach(c -> against.add(c.get("against").asText()));
            long winner = selection.get("ids").get(0).asLong();
            assertTrue(
                    winner >= -1 ? against.contains("calibration merge 1") : against.contains("start point"),
                    against.toString());
        }
    }

    /** With an item budget the run spends at most that fraction of scoring every candidate on every item. */
    @Test
    void promotionsStayWithinTheItemBudget(@TempDir Path tmp) throws Exception {
        Path f = run(
                tmp,
                "budget",
                "cmaes",
                "population = 6, mean0 = [0, 0, 0]",
                "evaluations = 36",
                SPHERE,
                ", budget = 0.1");
        assertEquals(
                RunState.Status.FINISHED,
                EngineTestSupport.runToEnd(node, f, "budget", 120).state());
        RunState state = RunState.replay(Journal.read(tmp.resolve("out-budget")));
        // 36 x 400 x 0.1 = 1,440 items; the start point (400) and the first rungs (36 x 20) are spent anyway
        assertTrue(state.fidelity().items() <= 1440, "items " + state.fidelity().items());
        assertTrue(
                state.fidelity().scored().values().stream().anyMatch(x -> x.rung() > 0),
                "the budget left room for some");
    }

    /** The final rung: once the candidates are spent, the best few by estimate are scored on the whole split. */
    @Test
    void theFinalRungScoresTheBestByEstimateOnTheWholeSplit(@TempDir Path tmp) throws Exception {
        Path f = run(
                tmp,
                "final",
                "cmaes",
                "population = 6, mean0 = [0, 0, 0]",
                "evaluations = 24",
                SPHERE,
                ", budget = 0.1, finalists = 3");
        assertEquals(
                RunState.Status.FINISHED,
                EngineTestSupport.runToEnd(node, f, "final", 120).state());
        List<RunEvent> events = Journal.read(tmp.resolve("out-final"));
        RunState state = RunState.replay(events);
        var spec = RunSpec.load(f);
        Map<String, List<String>> items = RunFolder.items(tmp.resolve("out-final"));
        var racing = new Racing(spec.fidelity(), List.of("f"), items, ItemChoice.rungs(spec, items));
        List<Long> finalists = racing.finalists(state.fidelity(), List.of(-1L), Map.of(), 3);
        assertEquals(3, finalists.size());
        for (long id : finalists) {
            assertEquals(2, state.fidelity().rung(id), "finalist " + id + " on the whole split");
        }
        // and nothing else went up after its race: at most 3 final-rung promotions
        assertTrue(state.fidelity().scored().values().stream()
                        .filter(sc -> sc.rung() < 2 && state.fidelity().rung(sc.id()) == 2)
                        .count()
                <= 3);
        // the final rung came after the last generation, and the answer is among the whole-split candidates
        int lastGeneration = 0;
        for (int i = 0; i < events.size(); i++) {
            lastGeneration = events.get(i) instanceof RunEvent.GenerationDone ? i : lastGeneration;
        }
        assertTrue(
                events.subList(lastGeneration, events.size()).stream()
                                .anyMatch(e -> e instanceof RunEvent.Refined r && r.rung() == 2)
                        || finalists.stream()
                                .allMatch(
                                        id -> state.fidelity().scored().get(id).rung() == 2),
                "a final rung ran");
        answered(events);
    }

    /** Every single-objective algorithm races its cohorts (generations; random search: blocks of its batch). */
    @ParameterizedTest
    @ValueSource(strings = {"ga|population = 6", "de|population = 6", "random|batch = 6"})
    void everyAlgorithmRaces(String algorithm, @TempDir Path tmp) throws Exception {
        String[] a = algorithm.split("\\|");
        Path f = run(tmp, "alg-" + a[0], a[0], a[1], "evaluations = 24", SPHERE);
        Protocol.Status s = EngineTestSupport.runToEnd(node, f, "alg-" + a[0], 120);
        assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        List<RunEvent> events = Journal.read(tmp.resolve("out-alg-" + a[0]));
        answered(events);
        RunState state = RunState.replay(events);
        assertEquals(24, state.fidelity().scored().size());
        assertTrue(state.fidelity().scored().values().stream().anyMatch(x -> x.rung() > 0), "some went up");
        // no start point in these settings: no reference, the cohorts race against their earlier cohorts' best
        assertEquals(-1, state.fidelity().rung(-1));
    }

    @Test
    void severalObjectivesRaceTogether(@TempDir Path tmp) throws Exception {
        String two = SPHERE + ", { name = g, synthetic = sphere, center = -0.3, items = 300, cost = 1ms }";
        Path f = run(tmp, "multi", "nsga2", "population = 8", "evaluations = 24", two);
        Protocol.Status s = EngineTestSupport.runToEnd(node, f, "multi", 120);
        assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        RunState state = RunState.replay(Journal.read(tmp.resolve("out-multi")));
        assertEquals(24, state.fidelity().scored().size());
        for (RunEvent.Scored sc : state.fidelity().scored().values()) {
            assertEquals(2, sc.objectives().length);
            if (sc.rung() == 2) {
                Map<String, Map<String, Integer>> y = state.fidelity().of(sc.id());
                assertEquals(400, y.get("f").size());
                assertEquals(300, y.get("g").size());
            }
        }
        assertFalse(state.fidelity().scored().values().stream().allMatch(x -> x.rung() == 0), "some went up");
    }
}
