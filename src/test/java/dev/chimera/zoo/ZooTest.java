package dev.chimera.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.cli.CliRun;
import dev.chimera.eval.Item;
import dev.chimera.eval.TaskLoader;
import dev.chimera.eval.Tokenizer;
import dev.chimera.model.CausalLM;
import dev.chimera.model.CheckpointLayout;
import dev.chimera.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZooTest {
    @TempDir
    static Path tmp;

    static Zoo zoo;

    @BeforeAll
    static void buildTinyZoo() {
        zoo = ZooBuilder.build(tmp.resolve("zoo-a"), ZooSpec.tiny(), 3, s -> {});
    }

    @Test
    void tokenizerRoundTripsThroughHuggingFaceTokenizers() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tok"));
        CharVocab.writeTokenizer(dir);
        String text = "the cat has 49 cup . where is the cat ? KBY | " + CharVocab.CHARS;
        try (Tokenizer t = Tokenizer.load(dir)) {
            int[] ids = t.encode(text);
            assertEquals(text.length(), ids.length, "one token per character");
            assertArrayEquals(CharVocab.encode(text), ids);
            assertEquals(text, t.decode(ids));
            assertEquals(1, t.eosId().orElseThrow());
            assertArrayEquals(t.encode(text), t.encodeWithSpecial(text), "no BOS or other special tokens added");
            // ids worked out by hand: 3 specials, then ' ' ? . | (3..6), digits (7..16), a (17)
            assertArrayEquals(new int[] {17, 3, 7, 16, 4}, t.encode("a 09?"));
        }
        ZooException e = assertThrows(ZooException.class, () -> CharVocab.encode("caf\u00e9"));
        assertTrue(e.getMessage().contains("'\u00e9'"), e.getMessage());
        assertEquals(3 + 4 + 10 + 26 + 26, CharVocab.size());
    }

    @Test
    void languageBIsALetterCipherOfA() {
        Languages lang = new Languages(7);
        String a = "abcdefghijklmnopqrstuvwxyz";
        String b = lang.toB(a);
        Set<Character> letters = new HashSet<>();
        for (char c : b.toCharArray()) {
            assertTrue(c >= 'A' && c <= 'Z');
            letters.add(c);
        }
        assertEquals(26, letters.size(), "the cipher is a bijection onto A-Z");
        assertEquals("17 ? . | 3", lang.toB("17 ? . | 3"), "digits and punctuation are shared");
        assertFalse(new Languages(8).toB(a).equals(b), "the seed picks the cipher");
        // 20 x 20 sums plus the 210 differences with a >= b (20 x 21 / 2)
        assertEquals(400 + 210, Languages.allProblems().size());
        Languages.Example e = lang.arith(new Languages.Problem(17, false, 15), true);
        assertEquals(" 2", e.completion());
        assertEquals(lang.toB("what is 17 minus 15 ?"), e.prompt());
        Languages.Problem p = new Languages.Problem(4, true, 9);
        assertEquals("how much is 4 plus 9 ?", lang.question(new Languages.Question(p, 1), false));
        assertEquals(lang.toB("how much is 4 plus 9 ?"), lang.question(new Languages.Question(p, 1), true));
        assertThrows(ZooException.class, () -> new Languages.Question(p, Languages.TEMPLATES));
        IntUnaryOperator read = ZooBuilder.readAsA(lang);
        for (char c : "quiz".toCharArray()) {
            assertEquals(
                    CharVocab.encode(String.valueOf(c))[0],
                    read.applyAsInt(CharVocab.encode(lang.toB(String.valueOf(c)))[0]));
            assertEquals(
                    CharVocab.encode(String.valueOf(c))[0], read.applyAsInt(CharVocab.encode(String.valueOf(c))[0]));
        }
        assertEquals(CharVocab.encode("7")[0], read.applyAsInt(CharVocab.encode("7")[0]));
        assertEquals(CharVocab.EOS, read.applyAsInt(CharVocab.EOS));
    }

    @Test
    void aRunWithTrainableTensorsLeavesTheOthersBitIdentical() {
        ModelConfig c = ZooBuilder.modelConfig(ZooSpec.tiny());
        Languages.Example ex = new Languages.Example("say cat ?", " cat");
        Map<String, float[]> start = Trainer.initialWeights(c, 2);
        try (Trainer t = new Trainer(c, start)) {
            t.train(new Trainer.Settings(3, 2, 1e-2, 1, 0.1, 0.01, 1.0, ZooSpec.LEXICAL), r -> ex, 1, (s, l, lr) -> {});
            Map<String, float[]> end = t.weights();
            for (String name : start.keySet()) {
                boolean lexical = name.equals("model.embed_tokens.weight") || name.equals("lm_head.weight");
                assertEquals(!lexical, Arrays.equals(start.get(name), end.get(name)), name);
            }
            assertThrows(
                    ZooException.class,
                    () -> t.train(
                            new Trainer.Settings(1, 1, 1e-2, 0, 0.1, 0, 1, "nothing"), r -> ex, 1, (s, l, lr) -> {}));
        }
        assertThrows(ZooException.class, () -> new Trainer.Settings(1, 1, 1e-2, 0, 0.1, 0, 1, "(unclosed"));
    }

    @Test
    void initialLossIsLnVocabAndTrainingLowersIt() {
        ModelConfig c = ZooBuilder.modelConfig(ZooSpec.tiny());
        Languages.Example ex = new Languages.Example("what is 1 plus 1 ?", " 2");
        try (Trainer t = new Trainer(c, Trainer.initialWeights(c, 1))) {
            // with N(0, 0.02) weights the logits are ~0, so every next-token distribution is ~uniform over the vocab
            double initial = t.loss(List.of(ex));
            assertEquals(Math.log(69), initial, 0.02);
            int live = t.liveArrays();
            double[] losses =
                    t.train(new Trainer.Settings(40, 4, 1e-2, 5, 0.1, 0.0, 1.0), r -> ex, 1, (s, l, lr) -> {});
            assertEquals(live, t.liveArrays(), "a training step leaves no arrays behind");
            assertEquals(initial, losses[0], 1e-5, "step 0 is scored before the first update");
            double end = t.loss(List.of(ex));
            assertTrue(end < 0.3, "one example is memorised: loss " + end);
        }
    }

    @Test
    void lossCountsCompletionTokensOnlyAsTheInferenceForwardScoresThem() {
        ModelConfig c = ZooBuilder.modelConfig(ZooSpec.tiny());
        Languages lang = new Languages(0);
        Random r = new Random(5);
        List<Languages.Example> batch = List.of(lang.where(r, false), lang.count(r, true), lang.copy(r, false));
        try (Trainer t = new Trainer(c, Trainer.initialWeights(c, 2))) {
            t.train(
                    new Trainer.Settings(3, 4, 3e-3, 1, 0.1, 0.01, 1.0),
                    rr -> lang.copy(rr, true),
                    9,
                    (s, l, lr) -> {});
            // independent: per example, log p(completion + EOS | prompt) from lm-eval log-likelihoods
            double sum = 0;
            int count = 0;
            for (Languages.Example e : batch) {
                int[] ctx = CharVocab.encode(e.prompt());
                int[] comp = CharVocab.encode(e.completion());
                int[] cont = Arrays.copyOf(comp, comp.length + 1);
                cont[comp.length] = CharVocab.EOS;
                sum += t.model().logLikelihood(ctx, cont).logProb();
                count += cont.length;
            }
            assertEquals(-sum / count, t.loss(batch), 1e-4);
        }
    }

    @Test
    void trainingForwardMatchesInferenceAndItsGradientMatchesFiniteDifferences() {
        ModelConfig c = ZooBuilder.modelConfig(ZooSpec.tiny());
        long[][] ids = {{17, 3, 20, 30, 4, 1}, {40, 41, 42, 0, 0, 0}};
        int[] lengths = {6, 3};
        String probe = "model.embed_tokens.weight";
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            Trainer.initialWeights(c, 4)
                    .forEach((k, v) -> w.put(
                            k,
                            m.create(
                                    v,
                                    new Shape(CheckpointLayout.expectedShapes(c).get(k)))));
            w.get(probe).setRequiresGradient(true);
            float[] grad;
            try (CausalLM lm = CausalLM.fromWeights(c, w);
                    NDManager scope = m.newSubManager()) {
                float[] inference = lm.forward(scope, ids, lengths, true).toFloatArray();
                NDArray loss;
                try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                    NDArray logp = lm.forwardKeepingGraph(scope, ids, lengths, true);
                    // the same operations, but in-place vs out-of-place and grad mode may select other libtorch
                    // kernels on some CPUs: equal to float32 rounding of the log-probabilities' scale (~4)
                    assertArrayEquals(inference, logp.toFloatArray(), 1e-5f * 8, "the same computation");
                    loss = logp.get("0, :, 5").sum().add(logp.get("1, :3, 9").sum());
                    System.gc(); // buffers of closed arrays may be freed now; the graph must not use any
                    gc.backward(loss);
                }
                grad = w.get(probe).getGradient().toFloatArray();
            }
            // central differences on the entry with the largest gradient
            int k = 0;
            for (int i = 1; i < grad.length; i++) {
                if (Math.abs(grad[i]) > Math.abs(grad[k])) {
                    k = i;
                }
            }
            float[] e = w.get(probe).toFloatArray();
            double h = 1e-2;
            double[] f = new double[2];
            for (int side = 0; side < 2; side++) {
                float[] shifted = e.clone();
                shifted[k] += (float) (side == 0 ? h : -h);
                Map<String, NDArray> w2 = new LinkedHashMap<>(w);
                w2.put(probe, m.create(shifted, w.get(probe).getShape()));
                try (CausalLM lm = CausalLM.fromWeights(c, w2);
                        NDManager scope = m.newSubManager()) {
                    NDArray logp = lm.forward(scope, ids, lengths, true);
                    f[side] = logp.get("0, :, 5").sum().getFloat()
                            + logp.get("1, :3, 9").sum().getFloat();
                }
            }
            double numeric = (f[0] - f[1]) / (2 * h);
            assertTrue(Math.abs(grad[k]) > 0.01, "a usable gradient " + grad[k]);
            assertEquals(numeric, grad[k], 0.03 * Math.abs(numeric), "autograd vs finite differences");
        }
    }

    @Test
    void sameSeedGivesByteIdenticalModelsAndAnotherSeedDoesNot() throws Exception {
        Zoo again = ZooBuilder.build(tmp.resolve("zoo-b"), ZooSpec.tiny(), 3, s -> {});
        Zoo other = ZooBuilder.build(tmp.resolve("zoo-c"), ZooSpec.tiny(), 4, s -> {});
        for (String m : List.of(Zoo.BASE, Zoo.EXPERT1, Zoo.EXPERT2)) {
            byte[] x = Files.readAllBytes(zoo.dir().resolve(m).resolve("model.safetensors"));
            assertArrayEquals(x, Files.readAllBytes(again.dir().resolve(m).resolve("model.safetensors")), m);
            assertFalse(
                    Arrays.equals(x, Files.readAllBytes(other.dir().resolve(m).resolve("model.safetensors"))), m);
        }
        for (String task : List.of(Zoo.TARGET_SEARCH, Zoo.TARGET_TEST, Zoo.SKILL2_TEST)) {
            assertEquals(
                    Files.readString(zoo.dir().resolve("tasks").resolve(task + ".jsonl")),
                    Files.readString(again.dir().resolve("tasks").resolve(task + ".jsonl")));
        }
    }

    @Test
    void anExistingZooIsReusedAndAForeignFolderIsRefused() throws Exception {
        long stamp = Files.getLastModifiedTime(zoo.manifest()).toMillis();
        List<String> log = new ArrayList<>();
        Zoo reused = ZooBuilder.openOrBuild(zoo.dir(), ZooSpec.tiny(), 3, log::add);
        assertEquals(zoo.dir(), reused.dir());
        assertEquals(stamp, Files.getLastModifiedTime(zoo.manifest()).toMillis());
        assertTrue(log.get(0).startsWith("reusing"), log.toString());

        ZooException wrongSeed =
                assertThrows(ZooException.class, () -> ZooBuilder.openOrBuild(zoo.dir(), ZooSpec.tiny(), 5, s -> {}));
        assertTrue(
                wrongSeed.getMessage().contains("seed 3")
                        && wrongSeed.getMessage().contains("seed 5"),
                wrongSeed.getMessage());
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        ZooException notZoo =
                assertThrows(ZooException.class, () -> ZooBuilder.openOrBuild(foreign, ZooSpec.tiny(), 3, s -> {}));
        assertTrue(notZoo.getMessage().contains(foreign.toString()), notZoo.getMessage());
        assertTrue(Files.exists(foreign.resolve("notes.txt")), "nothing is deleted");
        assertThrows(ZooException.class, () -> ZooBuilder.openOrBuild(tmp.resolve("neg"), ZooSpec.tiny(), -1, s -> {}));
        assertFalse(Files.exists(tmp.resolve("neg")));
        try (var siblings = Files.list(tmp)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temp folders left");
        }
    }

    @Test
    void zooFoldersLoadAndEvaluateAndSplitsAreDisjoint() throws Exception {
        ZooSpec spec = ZooSpec.tiny();
        List<Item> search = TaskLoader.items(TaskLoader.load(zoo.task(Zoo.TARGET_SEARCH)));
        List<Item> test = TaskLoader.items(TaskLoader.load(zoo.task(Zoo.TARGET_TEST)));
        List<Item> skill1 = TaskLoader.items(TaskLoader.load(zoo.task(Zoo.SKILL1_TEST)));
        assertEquals(spec.searchItems(), search.size());
        // every held-out problem in every phrasing
        assertEquals(Languages.TEMPLATES * spec.testProblems(), test.size());
        assertEquals(Languages.TEMPLATES * spec.testProblems(), skill1.size());
        // disjoint problems, whatever the phrasing: "17 DOSI 15" is the problem inside every question
        Pattern sum = Pattern.compile("\\d+ [A-Z]+ \\d+");
        Set<String> searchProblems = new HashSet<>();
        for (Item i : search) {
            Matcher m = sum.matcher(i.question());
            assertTrue(m.find(), i.question());
            searchProblems.add(m.group());
        }
        for (Item i : test) {
            assertTrue(i.question().matches("([A-Z]+ )*\\d+ [A-Z]+ \\d+( [A-Z]+)* \\?"), i.question());
            Matcher m = sum.matcher(i.question());
            assertTrue(m.find(), i.question());
            assertFalse(searchProblems.contains(m.group()), i.question());
        }
        assertTrue(skill1.get(0).question().startsWith("what is "));
        List<Item> skill1Search = TaskLoader.items(TaskLoader.load(zoo.task(Zoo.SKILL1_SEARCH)));
        assertEquals(spec.searchItems(), skill1Search.size());
        assertEquals(
                new Languages(3).toB(skill1Search.get(0).question()),
                search.get(0).question(),
                "the A skill's search split poses the target's search problems in A");
        List<Item> countTest = TaskLoader.items(TaskLoader.load(zoo.task(Zoo.SKILL2_TEST)));
        List<Item> countSearch = TaskLoader.items(TaskLoader.load(zoo.task(Zoo.SKILL2_SEARCH)));
        assertEquals(spec.skillItems(), countSearch.size());
        assertFalse(
                countSearch.get(0).question().equals(countTest.get(0).question())
                        && countSearch.get(1).question().equals(countTest.get(1).question()),
                "different draws");
        Map<?, ?> manifest = new ObjectMapper().readValue(zoo.manifest().toFile(), Map.class);
        assertEquals(3, ((Number) manifest.get("seed")).intValue());
        try (ZooEval eval = new ZooEval(zoo)) {
            for (Path m : List.of(zoo.base(), zoo.expert1(), zoo.expert2())) {
                try (CausalLM lm = CausalLM.load(m)) {
                    double acc = eval.accuracy(lm, Zoo.TARGET_TEST);
                    assertTrue(acc >= 0 && acc <= 1);
                }
            }
        }
    }

    @Test
    void cliBuildsReusesAndNamesBadValues() {
        Path dir = tmp.resolve("cli-zoo");
        CliRun first = CliRun.of("zoo", "build", "--out", dir.toString(), "--seed", "2", "--size", "tiny");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("expert 1: " + dir.resolve(Zoo.EXPERT1)), first.out());
        CliRun second = CliRun.of("zoo", "build", "--out", dir.toString(), "--seed", "2", "--size", "tiny");
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("reusing zoo"), second.out());
        CliRun bad = CliRun.of("zoo", "build", "--out", tmp.resolve("x").toString(), "--seed", "-4", "--size", "tiny");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("-4"), bad.err());
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void generationBenchmarkComparesBothDecodingsOnAZoo() {
        CliRun run = CliRun.of("bench", "generate", "--zoo", zoo.dir().toString(), "--repeats", "1");
        assertEquals(0, run.code(), run.err());
        // the two decodings' agreement is CausalLMTest's (with its near-tie margin); here: both ran and were compared
        assertTrue(
                run.out().contains(Languages.TEMPLATES * ZooSpec.tiny().testProblems() + " items")
                        && run.out().contains("speed-up")
                        && (run.out().contains("identical outputs") || run.out().contains("differ (greedy near-ties")),
                run.out());
        CliRun none =
                CliRun.of("bench", "generate", "--zoo", tmp.resolve("no-zoo").toString());
        assertEquals(1, none.code());
        assertTrue(none.err().contains(tmp.resolve("no-zoo").toString()), none.err());
    }
}
