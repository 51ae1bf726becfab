package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.cli.CliRun;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunFolder;
import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.engine.work.TorchThreads;
import dev.chimera.engine.work.Workload;
import dev.chimera.engine.work.Workloads;
import dev.chimera.estimate.Extract;
import dev.chimera.estimate.ExtractResult;
import dev.chimera.estimate.ResponseCache;
import dev.chimera.estimate.SubsetEstimator;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import dev.chimera.model.CausalLM;
import dev.chimera.model.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real merges and real evaluations flowing through the engine, checked against the disk path (merge + eval). */
class MergeRunTest {
    static final List<String> WORDS = List.of(
            "[UNK]",
            "<s>",
            "</s>",
            "Question:",
            "Answer:",
            "which",
            "colour",
            "is",
            "the",
            "sky",
            "grass",
            "?",
            "red",
            "blue",
            "green",
            "sun",
            "yellow");

    static Path model(Path dir, long seed) throws Exception {
        Path m = TinyModels.write(dir, TinyModels.specs().get(3), seed);
        TinyModels.writeWordTokenizer(m, WORDS);
        return m;
    }

    /** A task-arithmetic run (seed 4) over {@link #zoo}'s models with one objective. */
    static Path taskArithmeticRun(Path tmp, String name, String algorithm, String objective, String extra, int budget)
            throws Exception {
        Path f = tmp.resolve(name + ".conf");
        Files.writeString(f, """
                run {
                  name = %s
                  output = out-%s
                  seed = 4
                  models { base = base, a = a, b = b }
                  genome {
                    method = task_arithmetic
                    base = base
                    models = [a, b]
                    params = [ { name = weight, min = 0, max = 1 } ]
                  }
                  algorithm { name = %s }
                  objectives = [ %s ]
                  %s
                  budget { evaluations = %d }
                }
                """.formatted(name, name, algorithm, objective, extra, budget));
        return f;
    }

    static void zoo(Path tmp) throws Exception {
        model(tmp.resolve("base"), 1);
        model(tmp.resolve("a"), 2);
        model(tmp.resolve("b"), 3);
        Files.writeString(tmp.resolve("items.jsonl"), """
                {"id": "q1", "question": "which colour is the sky ?", "choices": ["red", "blue", "green"], "answer": 1}
                {"id": "q2", "question": "which colour is the grass ?", "choices": ["red", "blue", "green"], "answer": 2}
                {"id": "q3", "question": "which colour is the sun ?", "choices": ["yellow", "green"], "answer": 0}
                {"id": "q4", "question": "which colour is the sky ?", "choices": ["blue", "yellow"], "answer": 0}
                {"id": "q5", "question": "which colour is the grass ?", "choices": ["yellow", "green", "red"], "answer": 1}
                """);
        Files.writeString(
                tmp.resolve("task.yml"), "name: colours\ntype: multiple_choice\ndata: items.jsonl\nformat: jsonl\n");
    }

    @Test
    void slotsShareTheCoresInsteadOfOversubscribingThem(@TempDir Path tmp) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        // the rule: cores divided among cpu slots, at least 1; GPU slots do not count; a setting wins
        assertEquals(1, Node.torchThreads(0, 2, List.of("cpu", "cpu")));
        assertEquals(2, Node.torchThreads(0, 2, List.of("cpu")));
        assertEquals(4, Node.torchThreads(0, 8, List.of("cpu", "cpu", "cuda:0")));
        assertEquals(1, Node.torchThreads(0, 1, List.of("cpu", "cpu", "cpu")));
        assertEquals(3, Node.torchThreads(3, 2, List.of("cpu", "cpu")));
        // applied where libtorch keeps it, on the thread of each merge and evaluation (OpenMP: per thread): a thread
        // that ran with another count before gets the workload's
        zoo(tmp);
        Path runFile = tmp.resolve("slots.conf");
        Files.writeString(runFile, """
                run {
                  name = slots
                  output = out-slots
                  seed = 2
                  models { base = base, a = a, b = b }
                  genome {
                    type = parameters
                    method = task_arithmetic
                    base = base
                    models = [a, b]
                    params = [ { name = weight, min = 0, max = 1 } ]
                  }
                  algorithm { name = cmaes, settings { population = 4 } }
                  objectives = [ { name = colours, task = task.yml, n = 4 } ]
                  budget { evaluations = 4 }
                }
                """);
        RunSpec spec = RunSpec.load(runFile);
        RunSetup setup = new RunSetup("slots", spec.text(), Map.of("colours", List.of("q1", "q2", "q3", "q4")));
        int[] seen = new int[2];
        Thread t = new Thread(() -> {
            TorchThreads.use(cores + 1);
            try (Workload w = Workloads.create(setup, "cpu", 1)) {
                try (Workload.Built b = w.build(new double[] {0.5, 0.5})) {
                    seen[0] = TorchThreads.current();
                    TorchThreads.use(cores + 1);
                    w.evaluate(b, -1, 0);
                    seen[1] = TorchThreads.current();
                }
            }
        });
        t.start();
        t.join();
        assertArrayEquals(new int[] {1, 1}, seen);
        // a run file's run.torch-threads wins over the node's
        Path ownFile = tmp.resolve("own.conf");
        Files.writeString(ownFile, Files.readString(runFile).replace("seed = 2", "seed = 2\n  torch-threads = 2"));
        RunSpec own = RunSpec.load(ownFile);
        assertEquals(2, own.torchThreads());
    }

    /** A multi-fidelity merge run: the parents answer every item as work items, journaled, before any decision. */
    @Test
    void theParentsAnswerEveryItemAsWorkItemsOfTheRun(@TempDir Path tmp) throws Exception {
        zoo(tmp);
        Path runFile = tmp.resolve("mf.conf");
        Files.writeString(runFile, """
                run {
                  name = mf-merge
                  output = out-mf
                  seed = 4
                  models { base = base, a = a, b = b }
                  genome {
                    type = parameters
                    method = task_arithmetic
                    base = base
                    models = [a, b]
                    params = [ { name = weight, min = 0, max = 1 } ]
                  }
                  algorithm { name = cmaes, settings { population = 4, mean0 = [0.5, 0.5] } }
                  objectives = [ { name = colours, task = task.yml } ]
                  fidelity { rungs = [2], eta = 2, estimator = irt }
                  response-cache = cache
                  budget { evaluations = 8 }
                }
                """);
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:2"))) {
            Protocol.Status s = EngineTestSupport.runToEnd(node, runFile, "mf-merge", 300);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        }
        Path out = tmp.resolve("out-mf");
        List<RunEvent> events = Journal.read(out);
        List<RunEvent.ModelAnswered> answered = events.stream()
                .filter(e -> e instanceof RunEvent.ModelAnswered)
                .map(e -> (RunEvent.ModelAnswered) e)
                .toList();
        assertEquals(
                List.of("a", "b", "base"), // once each, in whatever order the two slots finished them
                answered.stream().map(RunEvent.ModelAnswered::model).sorted().toList());
        // each the model's own answers: what the extract stage's cached evaluation of its folder gives
        Task task = TaskLoader.load(tmp.resolve("task.yml"));
        for (RunEvent.ModelAnswered m : answered) {
            var direct = Extract.answers(
                    tmp.resolve(m.model()), task, "cpu", new ResponseCache(tmp.resolve("cache"), x -> {}), x -> {});
            Map<String, Integer> expected = new LinkedHashMap<>();
            direct.answers().forEach((id, ok) -> expected.put(id, ok ? 1 : 0));
            assertEquals(expected, m.items().get("colours"), m.model());
            assertTrue(direct.cacheHit(), "the run's answers went into the response cache");
        }
        // no candidate was decided on before the parents had answered (the IRT fits use them)
        int lastModel = events.indexOf(answered.get(answered.size() - 1));
        assertTrue(events.subList(0, lastModel).stream().noneMatch(e -> e instanceof RunEvent.Scored));
        // parents.json and the comparisons of selection.json
        var parents = new ObjectMapper().readTree(out.resolve("parents.json").toFile());
        assertEquals(5, parents.get("colours").get("a").size());
        String selection = Files.readString(out.resolve("selection.json"));
        assertTrue(
                selection.contains("\"against\" : \"a\"") && selection.contains("\"against\" : \"base\""), selection);
    }

    @Test
    void evolvesATaskArithmeticMergeInMemoryAndWritesTheBest(@TempDir Path tmp) throws Exception {
        zoo(tmp);
        Path runFile = tmp.resolve("merge.conf");
        Files.writeString(runFile, """
                run {
                  name = tiny-merge
                  output = out
                  seed = 4
                  models { base = base, a = a, b = b }
                  genome {
                    method = task_arithmetic
                    base = base
                    models = [a, b]
                    params = [ { name = weight, min = 0, max = 1 } ]
                    embed-group = true
                  }
                  algorithm { name = cmaes, settings { population = 4 } }
                  objectives = [ { name = colours, task = task.yml, n = 4 } ]
                  budget { generations = 2 }
                }
                """);
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu"))) {
            Protocol.Status s = EngineTestSupport.runToEnd(node, runFile, "tiny-merge", 300);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
            assertEquals(8, s.evaluations());
            // the status names the best candidate's genes the same way as results.csv
            assertTrue(
                    s.bestGenes().keySet().stream()
                            .allMatch(g -> (g.contains("[a]") || g.contains("[b]")) && !g.contains(tmp.toString())),
                    s.bestGenes().toString());
            assertEquals(
                    List.of(s.bestGenes().keySet().toArray(String[]::new)),
                    List.of(Files.readAllLines(tmp.resolve("out/results.csv"))
                                    .get(0)
                                    .split(","))
                            .stream()
                            .filter(c -> c.contains("["))
                            .map(c -> c.replace("\"", ""))
                            .toList());
        }
        Path out = tmp.resolve("out");
        List<RunEvent.Evaluated> ev = EngineTestSupport.evaluated(Journal.read(out));
        assertEquals(8, ev.size());
        RunEvent.Evaluated best = ev.get(0);
        for (RunEvent.Evaluated e : ev) {
            Map<String, Integer> items = e.items().get("colours");
            assertEquals(4, items.size(), "n = 4 items per candidate");
            assertEquals(items.values().stream().mapToInt(Integer::intValue).sum() / 4.0, e.objectives()[0], 1e-12);
            best = e.objectives()[0] > best.objectives()[0] ? e : best;
        }
        // every candidate saw the same 4 items
        assertEquals(
                1,
                ev.stream()
                        .map(e -> e.items().get("colours").keySet())
                        .distinct()
                        .count());
        // genes are named by the models' aliases in run.models, not by their folders
        String header = Files.readAllLines(out.resolve("results.csv")).get(0);
        assertTrue(header.contains("[a]") && header.contains("[b]") && !header.contains(tmp.toString()), header);
        assertTrue(Files.readString(out.resolve("best.json")).contains("\"named\""));

        // the winner, merged to disk from its YAML by `chimera merge` and scored by `chimera eval` on the same items,
        // gets the accuracy the in-memory path journaled
        assertTrue(Files.isRegularFile(out.resolve("best.yaml")));
        try (CausalLM lm = CausalLM.load(out.resolve("best"))) {
            assertEquals(2, lm.config().numLayers());
        }
        String items = String.join(",", best.items().get("colours").keySet());
        CliRun merged = CliRun.of(
                "merge",
                out.resolve("best.yaml").toString(),
                tmp.resolve("remerged").toString());
        assertEquals(0, merged.code(), merged.err());
        Files.copy(
                tmp.resolve("base/tokenizer.json"),
                tmp.resolve("remerged/tokenizer.json"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
                tmp.resolve("base/tokenizer_config.json"),
                tmp.resolve("remerged/tokenizer_config.json"),
                StandardCopyOption.REPLACE_EXISTING);
        Path samples = tmp.resolve("samples.jsonl");
        CliRun eval = CliRun.of(
                "eval",
                "--model",
                tmp.resolve("remerged").toString(),
                "--task",
                tmp.resolve("task.yml").toString(),
                "--items",
                items,
                "--log-samples",
                samples.toString());
        assertEquals(0, eval.code(), eval.err());
        String accLine = eval.out()
                .lines()
                .filter(l -> l.startsWith("colours acc "))
                .findFirst()
                .orElseThrow();
        // A loaded folder runs q/k/v as one GEMM, the in-memory merge as three: log-likelihoods agree to float32
        // rounding (per CPU), so an item may differ only where its gold choice is within that rounding of a tie.
        double nearTie = 1e-3;
        int near = 0;
        for (String line : Files.readAllLines(samples)) {
            JsonNode sample = new ObjectMapper().readTree(line);
            double[] ll = new ObjectMapper().convertValue(sample.get("loglik"), double[].class);
            int gold = sample.get("gold").asInt();
            double other = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < ll.length; c++) {
                other = c == gold ? other : Math.max(other, ll[c]);
            }
            boolean journaled = best.items().get("colours").get(sample.get("id").asText()) == 1;
            if (Math.abs(ll[gold] - other) <= nearTie) {
                near++;
            } else {
                assertEquals(
                        journaled,
                        sample.get("correct").asBoolean(),
                        "item " + sample.get("id").asText());
            }
        }
        assertEquals(
                best.objectives()[0],
                Double.parseDouble(accLine.split(" ")[2]),
                (double) near / best.items().get("colours").size() + 1e-9,
                eval.out());
    }

    @Test
    void anObjectiveWithAnEstimatorRunsTheExtractStageFirst(@TempDir Path tmp) throws Exception {
        zoo(tmp);
        Path runFile = tmp.resolve("extract.conf");
        Files.writeString(runFile, """
                run {
                  name = tiny-extract
                  output = out
                  seed = 8
                  response-cache = cache
                  models { base = base, a = a, b = b }
                  genome { method = linear, models = [a, b], params = [ { name = weight, min = 0, max = 1 } ] }
                  algorithm { name = random, settings { batch = 3 } }
                  objectives = [ { name = colours, task = task.yml, n = 3, selector = random, estimator = pirt } ]
                  budget { evaluations = 3 }
                }
                """);
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu"))) {
            Protocol.Status s = EngineTestSupport.runToEnd(node, runFile, "tiny-extract", 300);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        }
        Path out = tmp.resolve("out");
        ExtractResult x = ExtractResult.read(out.resolve("extract-colours.json"));
        // linear over a and b: no base, so the two parents each answer all 5 items once, as work items of the run;
        // the extract stage then reads them (through the response cache the workers filled) and evaluates nothing
        List<RunEvent.ModelAnswered> parents = Journal.read(out).stream()
                .filter(e -> e instanceof RunEvent.ModelAnswered)
                .map(e -> (RunEvent.ModelAnswered) e)
                .toList();
        assertEquals(
                List.of("a", "b"),
                parents.stream().map(RunEvent.ModelAnswered::model).sorted().toList());
        assertTrue(parents.stream().allMatch(m -> m.items().get("colours").size() == 5));
        assertEquals(0, x.cost().itemsEvaluated());
        assertEquals(
                List.of(true, true),
                x.models().stream().map(ExtractResult.ModelInfo::cacheHit).toList());
        assertEquals(3, x.subset().itemIds().size());
        assertTrue(Files.list(tmp.resolve("cache")).count() >= 2, "responses cached per parent");
        SubsetEstimator est = x.estimator();
        for (RunEvent.Evaluated e : EngineTestSupport.evaluated(Journal.read(out))) {
            Map<String, Integer> items = e.items().get("colours");
            assertEquals(new HashSet<>(x.subset().itemIds()), items.keySet());
            Map<String, Boolean> answers = new HashMap<>();
            items.forEach((k, v) -> answers.put(k, v == 1));
            assertEquals(est.estimate("pirt", answers), e.objectives()[0], 1e-12);
        }
    }

    /** A run stopped after its parents answered resumes straight into its extract stage: nothing is asked again. */
    @Test
    void aResumedRunReusesTheParentsAnswersOfItsJournal(@TempDir Path tmp) throws Exception {
        zoo(tmp);
        Path runFile = tmp.resolve("again.conf");
        Files.writeString(runFile, """
                run {
                  name = again
                  output = out-again
                  seed = 8
                  response-cache = cache
                  models { base = base, a = a, b = b }
                  genome { method = linear, models = [a, b], params = [ { name = weight, min = 0, max = 1 } ] }
                  algorithm { name = random, settings { batch = 3 } }
                  objectives = [ { name = colours, task = task.yml, n = 3, selector = random, estimator = pirt } ]
                  budget { evaluations = 3 }
                }
                """);
        // a first session: the folder, and the two parents' answers journaled (as a worker would have)
        RunFolder.Opened first = RunFolder.create(EngineTestSupport.render(runFile));
        assertEquals(List.of("colours"), first.pendingExtract());
        Task task = TaskLoader.load(tmp.resolve("task.yml"));
        try (Journal j = Journal.open(first.dir(), false)) {
            j.append(new RunEvent.Started(1, "again", "n", false));
            for (String alias : List.of("a", "b")) {
                var answers = Extract.answers(
                        tmp.resolve(alias), task, "cpu", new ResponseCache(tmp.resolve("cache"), x -> {}), x -> {});
                Map<String, Integer> y = new LinkedHashMap<>();
                answers.answers().forEach((id, ok) -> y.put(id, ok ? 1 : 0));
                j.append(new RunEvent.ModelAnswered(2, alias, Map.of("colours", y), "w", 1, 1));
            }
        }
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu"))) {
            assertTrue(node.submit(null, first.dir().toString())
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS)
                    .ok());
            Protocol.Status s = EngineTestSupport.await(node, "again", 300);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        }
        List<RunEvent> events = Journal.read(first.dir());
        assertEquals(
                2,
                events.stream().filter(e -> e instanceof RunEvent.ModelAnswered).count(),
                "not asked again");
        ExtractResult x = ExtractResult.read(first.dir().resolve("extract-colours.json"));
        assertEquals(3, x.subset().itemIds().size());
        assertEquals(3, EngineTestSupport.evaluated(events).size());
        for (RunEvent.Evaluated e : EngineTestSupport.evaluated(events)) {
            assertEquals(
                    new HashSet<>(x.subset().itemIds()),
                    e.items().get("colours").keySet());
        }
    }
}
