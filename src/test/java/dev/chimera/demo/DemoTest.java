package dev.chimera.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.chimera.cli.CliRun;
import dev.chimera.engine.EngineTestSupport;
import dev.chimera.engine.control.ControlClient;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.estimate.TaskEvaluator;
import dev.chimera.eval.CausalLMAdapter;
import dev.chimera.eval.ItemResult;
import dev.chimera.eval.LanguageCheck;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import dev.chimera.eval.TaskResult;
import dev.chimera.eval.TaskRunner;
import dev.chimera.eval.TokenCodec;
import dev.chimera.eval.Tokenizer;
import dev.chimera.model.CausalLM;
import dev.chimera.model.ModelConfig;
import dev.chimera.tensor.HostTensors;
import dev.chimera.tensor.SafetensorsModel;
import dev.chimera.zoo.Languages;
import dev.chimera.zoo.Zoo;
import dev.chimera.zoo.ZooBuilder;
import dev.chimera.zoo.ZooSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The whole demo on the tiny zoo (seconds): both modes, the run folder, the table's numbers and bad options. */
class DemoTest {
    private static final ZooSpec TINY = ZooSpec.tiny();
    private static final long SEED = 1;

    @TempDir
    static Path tmp;

    static Zoo zoo;

    @BeforeAll
    static void buildZoo() {
        zoo = ZooBuilder.build(tmp.resolve("zoo"), TINY, SEED, s -> {});
    }

    private static DemoOptions options(Path runDir, boolean multi, int budget, int n, ByteArrayOutputStream log) {
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
        return DemoOptions.defaults()
                .withZooSpec(TINY)
                .withSeed(SEED)
                .withZooDir(zoo.dir())
                .withRunDir(runDir)
                .withMultiObjective(multi)
                .withBudget(budget)
                .withN(n)
                .withEstimatorCheck(2)
                .withControlPort(0)
                .withNodeConfig(EngineTestSupport.config())
                .withResponseCache(tmp.resolve("responses"))
                .withOutput(ps, ps);
    }

    /**
     * A model folder's accuracy, loaded as the demo loads folders, with one libtorch thread as the demo
     * ({@link OneThread}).
     */
    private static double accuracy(Path model, Path taskFile) {
        Task t = TaskLoader.load(taskFile);
        return OneThread.call(() -> {
            Map<String, Boolean> answers = new TaskEvaluator(
                            t, TaskLoader.items(t), TaskLoader.fewshotItems(t), "cpu", () -> {})
                    .evaluate(model);
            return answers.values().stream().filter(b -> b).count() / (double) answers.size();
        });
    }

    /**
     * A model folder's accuracy with its weights handed over in memory ({@link CausalLM#fromWeights}), the path of
     * the demo's in-memory merges: a folder load fuses q/k/v and gate/up into one GEMM each, which rounds differently
     * (per CPU) and can flip a greedy near-tie, so a float32 folder is compared with an in-memory merge this way.
     */
    private static double accuracyInMemory(Path model, Path taskFile) {
        Task t = TaskLoader.load(taskFile);
        return OneThread.call(() -> {
            try (NDManager owner = NDManager.newBaseManager("PyTorch");
                    SafetensorsModel files = SafetensorsModel.open(model);
                    Tokenizer tok = Tokenizer.load(model)) {
                Map<String, NDArray> weights = new LinkedHashMap<>();
                HostTensors host = new HostTensors();
                for (String name : files.names()) {
                    weights.put(
                            name,
                            host.toFloat32(
                                    owner,
                                    files.chunks(name),
                                    files.info(name).dtype(),
                                    files.info(name).shape()));
                }
                try (CausalLM lm = CausalLM.fromWeights(ModelConfig.read(model), weights)) {
                    TaskResult r = new TaskRunner(
                                    new CausalLMAdapter(lm, () -> {}),
                                    TokenCodec.of(tok),
                                    t.language() == null ? null : LanguageCheck.mgsm())
                            .run(t, TaskLoader.items(t), TaskLoader.fewshotItems(t));
                    return r.items().stream().filter(ItemResult::correct).count()
                            / (double) r.items().size();
                }
            }
        });
    }

    private static List<RunEvent.Evaluated> evaluated(Path runDir) {
        return Journal.read(runDir).stream()
                .filter(e -> e instanceof RunEvent.Evaluated)
                .map(e -> (RunEvent.Evaluated) e)
                .toList();
    }

    @Test
    void singleObjectiveDemoRunsEndToEndAndReportsConsistentNumbers() throws Exception {
        Path runDir = tmp.resolve("single");
        int budget = 6;
        int n = 3;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DemoResult r = Demo.run(options(runDir, false, budget, n, log));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(r.finished(), r.runState() + " " + r.finishReason() + "\n" + printed);

        // the run file is the template, filled in, and chimera run reads it as it is: multi-fidelity from n items
        RunSpec spec = RunSpec.load(runDir.resolve("demo.conf"));
        assertNotNull(spec.fidelity());
        int searchItems =
                TaskLoader.items(TaskLoader.load(zoo.task(Zoo.TARGET_SEARCH))).size();
        assertEquals(TINY.searchItems(), searchItems);
        List<Integer> rungs = spec.fidelity().counts(searchItems);
        assertEquals(n, rungs.get(0));
        assertEquals(searchItems, rungs.get(rungs.size() - 1));
        assertEquals(budget, spec.budget().evaluations());
        assertEquals("cmaes", spec.algorithm());
        assertEquals(
                zoo.task(Zoo.TARGET_SEARCH).toString(), spec.objectives().get(0).task());
        assertEquals(runDir, spec.output());
        for (String f : List.of(
                "run.conf",
                "journal.jsonl",
                "items.json",
                "parents.json",
                "selection.json",
                "best.yaml",
                "best.json",
                "results.csv",
                "demo.json",
                "demo.md",
                "uniform-ta-1.0.yaml",
                "uniform-ta-0.5.yaml")) {
            assertTrue(Files.isRegularFile(runDir.resolve(f)), f);
        }
        try (CausalLM lm = CausalLM.load(runDir.resolve("best"))) {
            assertEquals(TINY.layers(), lm.config().numLayers());
        }

        // the table: parents, both uniform merges, the evolved merge
        List<String> models = r.rows().stream().map(DemoResult.Row::model).toList();
        assertEquals(
                List.of("base", "expert 1", "expert 2", "uniform TA 1.0/1.0", "uniform TA 0.5/0.5", "evolved"), models);
        for (DemoResult.Row row : r.rows().subList(0, 5)) {
            assertEquals(Languages.TEMPLATES * TINY.testProblems(), row.itemsEvaluated(), row.model());
        }
        // the cost: every rung of every candidate and the start point on the whole split, plus the parents' answers
        RunState state = RunState.replay(Journal.read(runDir));
        List<RunEvent.Evaluated> ev =
                evaluated(runDir).stream().filter(e -> e.id() >= 0).toList();
        assertEquals(budget, ev.size());
        ev.forEach(e -> assertEquals(n, e.items().get("arith_b").size()));
        assertEquals(searchItems, state.fidelity().of(-1).get("arith_b").size(), "the start point on the whole split");
        assertEquals(budget, r.search().candidates());
        assertEquals(state.fidelity().items(), r.search().candidateItems());
        assertEquals(3L * searchItems, r.search().extractItems());
        assertEquals((long) budget * searchItems, r.search().fullItems());
        assertEquals(r.search().totalItems(), r.row("evolved").itemsEvaluated());

        // held-out numbers agree with an independent path (model folders loaded by the extract stage's evaluator)
        Path test = zoo.task(Zoo.TARGET_TEST);
        assertEquals(accuracy(zoo.expert1(), test), r.row("expert 1").heldOut().get(Zoo.TARGET_TEST), 1e-12);
        Path evolvedDir = r.row("evolved").path();
        assertEquals(runDir.resolve("best"), evolvedDir);
        double evolved = accuracy(evolvedDir, test);
        assertEquals(evolved, r.row("evolved").heldOut().get(Zoo.TARGET_TEST), 1e-12);
        double bestParent = 0;
        for (Path p : List.of(zoo.base(), zoo.expert1(), zoo.expert2())) {
            bestParent = Math.max(bestParent, accuracy(p, test));
        }
        assertEquals(100 * (evolved - bestParent), r.gainOverBestParent(), 1e-9);
        double uniform = Math.max(
                r.row("uniform TA 1.0/1.0").heldOut().get(Zoo.TARGET_TEST),
                r.row("uniform TA 0.5/0.5").heldOut().get(Zoo.TARGET_TEST));
        assertEquals(100 * (evolved - uniform), r.gainOverUniform(), 1e-9);

        // the answer is the best on the whole search split, never below the start point (the uniform 1.0/1.0 merge)
        long winner = r.row("evolved").candidateId();
        assertEquals(rungs.size() - 1, state.fidelity().rung(winner), "the answer was scored on the whole split");
        double start = state.fidelity().of(-1).get("arith_b").values().stream()
                .mapToInt(Integer::intValue)
                .average()
                .orElseThrow();
        double evolvedSearch = r.row("evolved").searchScores().get("arith_b");
        assertTrue(evolvedSearch >= start, evolvedSearch + " vs start " + start);
        assertEquals(start, r.row("uniform TA 1.0/1.0").searchScores().get("arith_b"), 1e-12);
        // merged in memory by the run, merged to disk for best/: the same model on the whole search split
        assertEquals(accuracyInMemory(evolvedDir, zoo.task(Zoo.TARGET_SEARCH)), evolvedSearch, 1e-12);
        // the comparisons: on the search split against the start point (unless it won) and the parents, on the held-out
        // split against the better uniform merge and the best parent; each difference is evolved - other
        List<DemoResult.Comparison> cs = r.comparisons();
        assertEquals(
                winner < 0 ? 3 : 4,
                cs.stream().filter(c -> c.split().equals("arith_b_search")).count());
        assertEquals(
                2, cs.stream().filter(c -> c.split().equals(Zoo.TARGET_TEST)).count());
        for (DemoResult.Comparison c : cs) {
            assertEquals(100 * (c.evolved() - c.other()), c.difference(), 1e-9, c.toString());
            assertTrue(c.low() <= c.difference() + 1e-9 && c.difference() <= c.high() + 1e-9, c.toString());
        }
        // the estimator check: the candidates the run scored on the whole split, at no extra cost
        for (DemoResult.Check c : r.estimatorChecks().get(0).candidates()) {
            assertEquals(searchItems, c.items());
            assertEquals(state.fidelity().rung(c.id()), rungs.size() - 1);
        }

        // what the user sees
        assertTrue(printed.contains("chimera pause " + r.runId() + " --node 127.0.0.1:"), printed);
        assertTrue(printed.contains("chimera resume " + runDir), printed);
        assertTrue(printed.contains("| evolved (candidate " + winner + ")"), printed);
        assertTrue(printed.contains("gain over the best parent") && printed.contains("95 % interval"), printed);
        for (String phase : List.of("zoo", "search", "heldOutEval", "total")) {
            assertTrue(r.phaseSeconds().containsKey(phase), phase);
        }
        JsonNode json = new ObjectMapper().readTree(runDir.resolve("demo.json").toFile());
        assertEquals(6, json.get("rows").size());
        assertEquals(runDir.toString(), json.get("runDir").asText());
        assertEquals(r.gainOverBestParent(), json.get("gainOverBestParent").asDouble(), 1e-12);

        // the same options continue the finished demo (evaluated again, same numbers); other options are refused
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        DemoResult r2 = Demo.run(options(runDir, false, budget, n, again));
        assertTrue(again.toString(StandardCharsets.UTF_8).contains("already finished"));
        assertEquals(r.row("evolved").heldOut(), r2.row("evolved").heldOut());
        assertEquals(budget, evaluated(runDir).stream().filter(e -> e.id() >= 0).count(), "nothing evaluated again");
        DemoException other = assertThrows(
                DemoException.class,
                () -> Demo.run(options(runDir, false, budget + 1, n, new ByteArrayOutputStream())));
        assertTrue(other.getMessage().contains("other options"), other.getMessage());
    }

    /** A template of one's own: the fixed-n + gp-IRT baseline, whose best candidates by estimate get a final check. */
    @Test
    void aTemplateOfOnesOwnRunsTheFixedNBaseline() throws Exception {
        Path runDir = tmp.resolve("fixed-n");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DemoResult r = Demo.run(
                options(runDir, false, 6, 3, log).withTemplate(Path.of("docs/examples/demo/fixed-n-gpirt.conf")));
        assertTrue(r.finished(), log.toString(StandardCharsets.UTF_8));
        RunSpec spec = RunSpec.load(runDir.resolve("demo.conf"));
        assertEquals(null, spec.fidelity());
        assertEquals("gpirt", spec.objectives().get(0).estimator());
        assertEquals(3, spec.objectives().get(0).n());
        assertEquals(6, evaluated(runDir).size());
        // the final check scored the 2 best by estimate on the whole split; the answer is the best of them there
        DemoResult.EstimatorCheck check = r.estimatorChecks().get(0);
        assertEquals(2, check.candidates().size());
        double best = check.candidates().stream()
                .mapToDouble(DemoResult.Check::full)
                .max()
                .orElseThrow();
        assertEquals(best, accuracyInMemory(r.row("evolved").path(), zoo.task(Zoo.TARGET_SEARCH)), 1e-12);
        assertTrue(r.comparisons().isEmpty());
        assertTrue(
                log.toString(StandardCharsets.UTF_8).contains("--template "),
                "the continue command names the template");
    }

    @Test
    void multiObjectiveDemoKeepsAParetoSetAndPlotsIt() throws Exception {
        Path runDir = tmp.resolve("multi");
        int budget = 6;
        int n = 2;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DemoResult r = Demo.run(options(runDir, true, budget, n, log).withParetoHeldOut(2));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(r.finished(), r.runState() + " " + r.finishReason() + "\n" + printed);
        RunSpec spec = RunSpec.load(runDir.resolve("demo.conf"));
        assertEquals("nsga2", spec.algorithm());
        assertEquals(
                List.of(
                        zoo.task(Zoo.SKILL1_SEARCH).toString(),
                        zoo.task(Zoo.SKILL2_SEARCH).toString()),
                spec.objectives().stream().map(RunSpec.ObjectiveSpec::task).toList());

        // cost: 2 objectives x n items per candidate, and an extract stage per objective
        List<RunEvent.Evaluated> ev = evaluated(runDir);
        assertEquals(budget, ev.size());
        assertEquals(2L * budget * n, r.search().candidateItems());
        int skill1 =
                TaskLoader.items(TaskLoader.load(zoo.task(Zoo.SKILL1_SEARCH))).size();
        int skill2 =
                TaskLoader.items(TaskLoader.load(zoo.task(Zoo.SKILL2_SEARCH))).size();
        assertEquals(3L * (skill1 + skill2), r.search().extractItems());

        // the Pareto set: mutually non-dominated, each a loadable model folder, the first ones held-out scored
        assertFalse(r.pareto().isEmpty());
        for (DemoResult.Row a : r.pareto()) {
            assertNotNull(a.path());
            try (CausalLM lm = CausalLM.load(a.path())) {
                assertEquals(TINY.layers(), lm.config().numLayers());
            }
            for (DemoResult.Row b : r.pareto()) {
                boolean dominates = a.searchScores().get("arith_a")
                                >= b.searchScores().get("arith_a")
                        && a.searchScores().get("count_b") >= b.searchScores().get("count_b")
                        && (a.searchScores().get("arith_a") > b.searchScores().get("arith_a")
                                || a.searchScores().get("count_b")
                                        > b.searchScores().get("count_b"));
                assertFalse(dominates, a.model() + " dominates " + b.model());
            }
        }
        // one member per distinct point of the front is scored (held-out, estimator check), at most the limit of 2
        Set<List<Double>> points = new HashSet<>();
        r.pareto()
                .forEach(p -> points.add(List.of(
                        p.searchScores().get("arith_a"), p.searchScores().get("count_b"))));
        long scored = r.pareto().stream().filter(p -> p.heldOut().size() == 2).count();
        assertEquals(Math.min(2, points.size()), scored);
        assertEquals(
                List.of("arith_a", "count_b"),
                r.estimatorChecks().stream()
                        .map(DemoResult.EstimatorCheck::objective)
                        .toList());
        for (DemoResult.EstimatorCheck c : r.estimatorChecks()) {
            assertEquals(Math.min(2, points.size()), c.candidates().size());
        }
        DemoResult.Check checked = r.estimatorChecks().get(1).candidates().get(0);
        DemoResult.Row member = r.pareto().stream()
                .filter(p -> p.candidateId() == checked.id())
                .findFirst()
                .orElseThrow();
        assertEquals(member.searchScores().get("count_b"), checked.estimated(), 0);
        assertEquals(accuracy(member.path(), zoo.task(Zoo.SKILL2_SEARCH)), checked.full(), 1e-12);
        DemoResult.Row e1 = r.row("expert 1");
        assertEquals(
                accuracy(zoo.expert1(), zoo.task(Zoo.SKILL2_TEST)), e1.heldOut().get(Zoo.SKILL2_TEST), 1e-12);
        assertEquals(
                accuracy(zoo.expert1(), zoo.task(Zoo.SKILL1_SEARCH)),
                e1.searchScores().get("arith_a"),
                1e-12);

        // the plot: well-formed SVG with the parents labelled and one marker per Pareto member
        Document svg = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(runDir.resolve(Demo.PLOT).toFile());
        assertEquals("svg", svg.getDocumentElement().getNodeName());
        Set<String> texts = new HashSet<>();
        NodeList t = svg.getElementsByTagName("text");
        for (int i = 0; i < t.getLength(); i++) {
            texts.add(t.item(i).getTextContent());
        }
        assertTrue(texts.containsAll(List.of("base", "expert 1", "expert 2")), texts.toString());
        assertTrue(texts.stream().anyMatch(s -> s.startsWith("Pareto front")), texts.toString());
        assertEquals(
                points.size() + 1, svg.getElementsByTagName("circle").getLength(), "a marker per point + the legend's");
        assertTrue(printed.contains("| pareto "), printed);
    }

    @Test
    void aStoppedDemoIsContinuedWithTheSameOptionsAndNothingIsEvaluatedTwice() throws Exception {
        Path runDir = tmp.resolve("stopped");
        int budget = 40;
        int n = 2;
        String token = "demo-test-token";
        DemoOptions o = options(runDir, false, budget, n, new ByteArrayOutputStream())
                .withEstimatorCheck(0)
                .withNodeConfig(ConfigFactory.parseString("chimera.control.token = \"" + token + "\"")
                        .withFallback(EngineTestSupport.config()));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
        CompletableFuture<DemoResult> first = CompletableFuture.supplyAsync(() -> Demo.run(o.withOutput(ps, ps)));
        // what a user does in another terminal: the printed stop command, once a few candidates are in
        Pattern stop = Pattern.compile("chimera stop (\\S+) --node (\\S+)");
        long deadline = System.nanoTime() + 120_000_000_000L;
        Matcher m = null;
        while (System.nanoTime() < deadline) {
            m = stop.matcher(log.toString(StandardCharsets.UTF_8));
            if (m.find()
                    && Files.exists(runDir.resolve("journal.jsonl"))
                    && evaluated(runDir).size() >= 2) {
                break;
            }
            m = null;
            Thread.sleep(20);
        }
        assertNotNull(m, "the demo printed the stop command and evaluated candidates: " + log);
        new ControlClient(m.group(2), token).control(m.group(1), "stop");
        DemoResult stopped = first.get(120, TimeUnit.SECONDS);
        assertEquals("STOPPED", stopped.runState());
        assertTrue(stopped.rows().isEmpty(), "no evaluation of a stopped run");
        int before = evaluated(runDir).size();
        assertTrue(before < budget, before + " evaluated before the stop");
        assertTrue(
                log.toString(StandardCharsets.UTF_8).contains("chimera demo --out " + runDir + " --seed " + SEED),
                log.toString());
        assertFalse(Files.exists(runDir.resolve(Demo.SUMMARY_JSON)));

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        DemoResult done = Demo.run(options(runDir, false, budget, n, again).withEstimatorCheck(0));
        assertTrue(done.finished(), again.toString(StandardCharsets.UTF_8));
        assertTrue(again.toString(StandardCharsets.UTF_8).contains("resumed"), again.toString(StandardCharsets.UTF_8));
        List<RunEvent.Evaluated> ev =
                evaluated(runDir).stream().filter(e -> e.id() >= 0).toList();
        assertEquals(budget, ev.size());
        assertEquals(
                budget, ev.stream().map(RunEvent.Evaluated::id).distinct().count(), "each candidate journaled once");
        RunState state = RunState.replay(Journal.read(runDir));
        assertEquals(budget, state.fidelity().scored().size(), "every race ended once");
        assertEquals(
                state.fidelity().items() + 3L * TINY.searchItems(),
                done.row("evolved").itemsEvaluated());
        assertTrue(Files.isRegularFile(runDir.resolve(Demo.SUMMARY_JSON)));
    }

    @Test
    void badOptionsAreRefusedNamingTheOptionAndNothingIsTouched() throws Exception {
        Path out = tmp.resolve("never");
        List<String[]> bad = new ArrayList<>();
        bad.add(new String[] {"--seed", "-1"});
        bad.add(new String[] {"--budget", "0"});
        bad.add(new String[] {"--n", Integer.toString(TINY.searchItems() + 1)});
        bad.add(new String[] {"--n", "0"});
        for (String[] b : bad) {
            // the template's n is larger than the tiny zoo's search split: a valid one, unless n is what is tested
            String[] n = b[0].equals("--n") ? new String[0] : new String[] {"--n", "3"};
            List<String> args = new ArrayList<>(List.of(
                    "demo", "--zoo-size", "tiny", "--zoo", zoo.dir().toString(), "--out", out.toString(), b[0], b[1]));
            args.addAll(List.of(n));
            CliRun run = CliRun.of(args.toArray(new String[0]));
            assertEquals(1, run.code(), String.join(" ", b));
            assertTrue(run.err().contains(b[0] + " " + b[1]), run.err());
            assertFalse(Files.exists(out), "nothing created for " + String.join(" ", b));
        }
        CliRun notNumber = CliRun.of("demo", "--zoo-size", "tiny", "--budget", "many");
        assertNotEquals(0, notNumber.code());
        assertTrue(notNumber.err().contains("--budget") && notNumber.err().contains("many"), notNumber.err());

        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        CliRun refused = CliRun.of(
                "demo",
                "--zoo-size",
                "tiny",
                "--zoo",
                zoo.dir().toString(),
                "--out",
                foreign.toString(),
                "--seed",
                Long.toString(SEED),
                "--n",
                "3");
        assertEquals(1, refused.code());
        assertTrue(
                refused.err().contains("--out " + foreign) && refused.err().contains("not a chimera demo run folder"),
                refused.err());
        try (var files = Files.list(foreign)) {
            assertEquals(List.of(foreign.resolve("notes.txt")), files.toList());
        }
        assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
    }
}
