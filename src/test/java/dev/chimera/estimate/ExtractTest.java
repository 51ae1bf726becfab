package dev.chimera.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extract stage with fake models (folders with a config and a small safetensors file) and a fake evaluator. */
class ExtractTest {
    static final int ITEMS = 80;

    @TempDir
    Path dir;

    SyntheticIrt data;
    List<Path> models;
    Path taskFile;
    AtomicInteger calls;
    List<String> warnings;

    @BeforeEach
    void setUp() throws IOException {
        data = SyntheticIrt.generate(6, 0, ITEMS, 2, 11, 2.0);
        models = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            models.add(fakeModel(dir.resolve("models/base" + i), i));
        }
        taskFile = writeTask(dir.resolve("task"), "Question: {question}\nAnswer:", 0);
        calls = new AtomicInteger();
        warnings = new ArrayList<>();
    }

    /** A folder with a config.json and a 64-byte-payload safetensors file whose bytes depend on {@code seed}. */
    static Path fakeModel(Path d, int seed) throws IOException {
        Files.createDirectories(d);
        Files.writeString(d.resolve("config.json"), "{\"model_type\": \"llama\", \"seed\": " + seed + "}");
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[0,64]}}";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 64).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (int k = 0; k < 16; k++) {
            buf.putFloat(seed + k);
        }
        Files.write(d.resolve("model.safetensors"), buf.array());
        return d;
    }

    /** A multiple-choice task with ITEMS items q0.. (answer flipped for item {@code flip}). */
    static Path writeTask(Path d, String prompt, int flip) throws IOException {
        Files.createDirectories(d);
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < ITEMS; j++) {
            int answer = j == flip ? 1 : 0;
            sb.append("{\"id\": \"q")
                    .append(j)
                    .append("\", \"question\": \"question ")
                    .append(j)
                    .append("\", \"choices\": [\"yes\", \"no\"], \"answer\": ")
                    .append(answer)
                    .append("}\n");
        }
        Files.writeString(d.resolve("items.jsonl"), sb);
        Path t = d.resolve("task.yml");
        Files.writeString(
                t,
                "name: fake\ntype: multiple_choice\ndata: items.jsonl\nprompt: \"" + prompt.replace("\n", "\\n")
                        + "\"\n");
        return t;
    }

    /** Model folder baseK answers as row K of the synthetic matrix. */
    ModelEvaluator evaluator() {
        return model -> {
            calls.incrementAndGet();
            int row = data.matrix.modelIndex(model.getFileName().toString());
            Map<String, Boolean> out = new HashMap<>();
            for (int j = 0; j < ITEMS; j++) {
                out.put(data.matrix.item(j), data.matrix.get(row, j) == 1);
            }
            return out;
        };
    }

    ResponseCache cache() {
        return new ResponseCache(dir.resolve("cache"), warnings::add);
    }

    ExtractResult run(Extract.Settings s) {
        return Extract.run(models, Extract.TaskInput.load(taskFile), evaluator(), cache(), s, null, m -> {});
    }

    static String withoutCost(ExtractResult r) throws IOException {
        ObjectNode n = (ObjectNode) new ObjectMapper().readTree(r.toJson());
        n.remove("cost");
        n.withArray("models").forEach(m -> {
            ((ObjectNode) m).remove("seconds");
            ((ObjectNode) m).remove("cacheHit");
            ((ObjectNode) m).remove("itemsEvaluated");
            ((ObjectNode) m).remove("path");
        });
        return n.toString();
    }

    @Test
    void evaluatesEachModelOnceThenHitsTheCache() throws IOException {
        Extract.Settings s = Extract.Settings.of("anchor", 10, 3, "gpirt");
        ExtractResult first = run(s);
        assertEquals(4, calls.get());
        assertEquals(4 * ITEMS, first.cost().itemsEvaluated());
        assertEquals(0, first.cost().cacheHits());
        assertEquals(4, first.cost().cacheMisses());
        for (int i = 0; i < 4; i++) {
            ExtractResult.ModelInfo m = first.models().get(i);
            assertEquals("base" + i, m.name());
            int correct = 0;
            for (int j = 0; j < ITEMS; j++) {
                correct += data.matrix.get(i, j);
            }
            assertEquals(correct / (double) ITEMS, m.accuracy(), 0.0);
            assertEquals(2, m.theta().length);
        }
        try (Stream<Path> files = Files.list(dir.resolve("cache"))) {
            List<Path> l = files.toList();
            assertEquals(4, l.size(), l.toString());
            assertTrue(l.stream().noneMatch(p -> p.toString().endsWith(".tmp")), l.toString());
        }
        ExtractResult second = run(s);
        assertEquals(4, calls.get(), "no model evaluated again");
        assertEquals(0, second.cost().itemsEvaluated());
        assertEquals(4, second.cost().cacheHits());
        assertTrue(second.models().stream().allMatch(ExtractResult.ModelInfo::cacheHit));
        assertEquals(withoutCost(first), withoutCost(second));
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void subsetAndParametersAreDeterministicForASeed() throws IOException {
        ExtractResult a = run(Extract.Settings.of("random", 15, 7, "mean"));
        ExtractResult b = run(Extract.Settings.of("random", 15, 7, "mean"));
        ExtractResult c = run(Extract.Settings.of("random", 15, 8, "mean"));
        assertEquals(withoutCost(a), withoutCost(b));
        assertNotEquals(a.subset().itemIds(), c.subset().itemIds());
        assertEquals(15, a.subset().itemIds().size());
        assertEquals(15, a.subset().itemIds().stream().distinct().count());
        for (int k = 0; k < 15; k++) {
            assertEquals("q" + a.subset().indices()[k], a.subset().itemIds().get(k));
            assertEquals(1.0 / 15, a.subset().weights()[k], 1e-15);
        }
        ExtractResult anchors1 = run(Extract.Settings.of("anchor-irt", 12, 5, "gpirt"));
        ExtractResult anchors2 = run(Extract.Settings.of("anchor-irt", 12, 5, "gpirt"));
        assertEquals(withoutCost(anchors1), withoutCost(anchors2));
        double sum = 0;
        for (double w : anchors1.subset().weights()) {
            sum += w;
        }
        assertEquals(1.0, sum, 1e-12);
    }

    @Test
    void taskFingerprintFollowsWhatDecidesTheResults() throws IOException {
        String base = Extract.TaskInput.load(taskFile).fingerprint();
        // the same task elsewhere, under another name: same fingerprint
        Path copy = writeTask(dir.resolve("elsewhere"), "Question: {question}\nAnswer:", 0);
        Files.writeString(copy, Files.readString(copy).replace("name: fake", "name: renamed"));
        assertEquals(base, Extract.TaskInput.load(copy).fingerprint());
        // another prompt, another gold answer: other fingerprints
        String prompt = Extract.TaskInput.load(writeTask(dir.resolve("p"), "Q: {question}\nA:", 0))
                .fingerprint();
        String answer = Extract.TaskInput.load(writeTask(dir.resolve("a"), "Question: {question}\nAnswer:", 5))
                .fingerprint();
        assertNotEquals(base, prompt);
        assertNotEquals(base, answer);
        assertNotEquals(prompt, answer);
        // few-shot examples are part of what the model sees
        Path fewshot = writeTask(dir.resolve("f"), "Question: {question}\nAnswer:", 0);
        Files.writeString(fewshot, Files.readString(fewshot) + "fewshot: 1\nfewshot_data: items.jsonl\n");
        String withFewshot = Extract.TaskInput.load(fewshot).fingerprint();
        assertNotEquals(base, withFewshot);
        Files.writeString(fewshot, Files.readString(fewshot).replace("fewshot: 1", "fewshot: 2"));
        assertNotEquals(withFewshot, Extract.TaskInput.load(fewshot).fingerprint());
        // ... and a changed task misses the cache
        run(Extract.Settings.of("random", 5, 0, "mean"));
        assertEquals(4, calls.get());
        Extract.run(
                models,
                Extract.TaskInput.load(dir.resolve("p/task.yml")),
                evaluator(),
                cache(),
                Extract.Settings.of("random", 5, 0, "mean"),
                null,
                m -> {});
        assertEquals(8, calls.get());
    }

    @Test
    void modelFingerprintFollowsConfigTokenizerAndWeightsNotLocation() throws IOException {
        Path m = models.get(0);
        String base = Fingerprint.model(m);
        assertEquals(64, base.length());
        Path copy = dir.resolve("copy/base0");
        Files.createDirectories(copy);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(m.resolve(f), copy.resolve(f));
        }
        assertEquals(base, Fingerprint.model(copy), "location is not part of it");
        Files.writeString(copy.resolve("config.json"), "{\"model_type\": \"llama\", \"seed\": 0, \"x\": 1}");
        String config = Fingerprint.model(copy);
        assertNotEquals(base, config);
        Files.writeString(copy.resolve("tokenizer_config.json"), "{}");
        String tok = Fingerprint.model(copy);
        assertNotEquals(config, tok);
        byte[] st = Files.readAllBytes(copy.resolve("model.safetensors"));
        st[st.length - 1] ^= 1; // one weight byte (in the sampled data)
        Files.write(copy.resolve("model.safetensors"), st);
        assertNotEquals(tok, Fingerprint.model(copy));
        // a changed config means a cache miss for that model only
        run(Extract.Settings.of("random", 5, 0, "mean"));
        Files.writeString(models.get(1).resolve("config.json"), "{\"model_type\": \"llama\", \"seed\": 99}");
        ExtractResult r = run(Extract.Settings.of("random", 5, 0, "mean"));
        assertEquals(5, calls.get());
        assertEquals(3, r.cost().cacheHits());
        assertEquals(ITEMS, r.cost().itemsEvaluated());
    }

    @Test
    void modelFolderErrorsNameTheFolder() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        EstimateException e = assertThrows(EstimateException.class, () -> Fingerprint.model(empty));
        assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("config.json"), e.getMessage());
        Path bad = fakeModel(dir.resolve("bad"), 1);
        Files.write(bad.resolve("model.safetensors"), new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 1});
        e = assertThrows(EstimateException.class, () -> Fingerprint.model(bad));
        assertTrue(
                e.getMessage().contains("model.safetensors") && e.getMessage().contains("header length"),
                e.getMessage());
    }

    @Test
    void corruptCacheEntryIsRecomputedWithAWarning() throws IOException {
        Extract.Settings s = Extract.Settings.of("random", 5, 0, "mean");
        ExtractResult first = run(s);
        String fp = first.models().get(2).fingerprint();
        Path entry = cache().file(fp, first.task().fingerprint());
        Files.writeString(entry, "{\"format\": \"chimera-responses/1\", \"items\": {\"q0\": tr"); // cut short
        ExtractResult second = run(s);
        assertEquals(5, calls.get(), "only the corrupt entry was recomputed");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(
                warnings.get(0).contains(entry.toString()) && warnings.get(0).contains("recomputing"), warnings.get(0));
        assertEquals(3, second.cost().cacheHits());
        assertEquals(withoutCost(first), withoutCost(second));
        // the entry was rewritten and is valid again
        assertTrue(cache().get(fp, first.task().fingerprint(), first.task().itemIds())
                .isPresent());
        // wrong item set and wrong fingerprint inside: also unusable
        String json = Files.readString(entry);
        Files.writeString(entry, json.replace("\"q7\"", "\"q7x\""));
        assertTrue(cache().get(fp, first.task().fingerprint(), first.task().itemIds())
                .isEmpty());
        assertTrue(warnings.get(1).contains("q7x"), warnings.get(1));
        Files.writeString(entry, json.replace(fp, "0" + fp.substring(1)));
        assertTrue(cache().get(fp, first.task().fingerprint(), first.task().itemIds())
                .isEmpty());
        assertTrue(warnings.get(2).contains("model fingerprint"), warnings.get(2));
    }

    @Test
    void failedEvaluationLeavesNoCacheEntryAndStrayTempFilesAreIgnored() throws IOException {
        Files.createDirectories(dir.resolve("cache"));
        Files.writeString(dir.resolve("cache/.stray.json.123.tmp"), "{\"half"); // as after a crash mid-write
        ModelEvaluator failing = m -> {
            if (m.getFileName().toString().equals("base2")) {
                throw new IllegalStateException("out of memory on base2");
            }
            return evaluator().evaluate(m);
        };
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> Extract.run(
                        models,
                        Extract.TaskInput.load(taskFile),
                        failing,
                        cache(),
                        Extract.Settings.of("random", 5, 0, "mean"),
                        null,
                        m -> {}));
        assertTrue(e.getMessage().contains("base2"));
        try (Stream<Path> files = Files.list(dir.resolve("cache"))) {
            List<String> names =
                    files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(3, names.size(), names.toString()); // base0, base1 and the stray file
            assertTrue(names.contains(".stray.json.123.tmp"));
        }
        // an evaluator that skips an item is refused, naming it, and nothing is cached for that model
        ModelEvaluator skipping = m -> {
            Map<String, Boolean> r = new HashMap<>(evaluator().evaluate(m));
            r.remove("q3");
            return r;
        };
        EstimateException e2 = assertThrows(
                EstimateException.class,
                () -> Extract.run(
                        List.of(models.get(3)),
                        Extract.TaskInput.load(taskFile),
                        skipping,
                        cache(),
                        Extract.Settings.of("random", 5, 0, "mean"),
                        null,
                        m -> {}));
        assertTrue(e2.getMessage().contains("missing [q3]") && e2.getMessage().contains("base3"), e2.getMessage());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void storedResultRoundTripsAndIsReusedOnResume() throws IOException {
        Path out = dir.resolve("run/extract.json");
        Extract.Settings s = Extract.Settings.of("anchor", 10, 1, "gmpirt");
        Extract.TaskInput task = Extract.TaskInput.load(taskFile);
        ExtractResult r = Extract.loadOrRun(out, false, models, task, evaluator(), cache(), s, null, m -> {});
        assertTrue(Files.isRegularFile(out));
        ExtractResult back = ExtractResult.read(out);
        assertEquals(r.toJson(), back.toJson());
        // resume: neither evaluation nor cache is needed
        deleteTree(dir.resolve("cache"));
        List<String> log = new ArrayList<>();
        ExtractResult resumed = Extract.loadOrRun(out, false, models, task, evaluator(), cache(), s, null, log::add);
        assertEquals(4, calls.get());
        assertEquals(r.toJson(), resumed.toJson());
        assertTrue(log.get(0).contains("reusing"), log.toString());
        // other settings: refused unless forced
        Extract.Settings other = Extract.Settings.of("anchor", 11, 1, "gmpirt");
        EstimateException e = assertThrows(
                EstimateException.class,
                () -> Extract.loadOrRun(out, false, models, task, evaluator(), cache(), other, null, m -> {}));
        assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("other inputs"), e.getMessage());
        ExtractResult forced = Extract.loadOrRun(out, true, models, task, evaluator(), cache(), other, null, m -> {});
        assertEquals(11, forced.subset().itemIds().size());
        assertEquals(11, ExtractResult.read(out).subset().itemIds().size());
        try (Stream<Path> files = Files.list(out.getParent())) {
            assertEquals(1, files.count(), "no temp files left beside the result");
        }
    }

    @Test
    void badStoredResultsAreRefusedNamingTheFile() throws IOException {
        Path out = dir.resolve("extract.json");
        run(Extract.Settings.of("random", 5, 0, "gpirt")).write(out);
        String good = Files.readString(out);
        Files.writeString(out, good.substring(0, good.length() / 2));
        EstimateException e = assertThrows(EstimateException.class, () -> ExtractResult.read(out));
        assertTrue(e.getMessage().startsWith(out.toString()), e.getMessage());
        ObjectMapper om = new ObjectMapper();
        ObjectNode n = (ObjectNode) om.readTree(good);
        ((ObjectNode) n.get("subset")).withArray("itemIds").set(0, "q999");
        Files.writeString(out, n.toString());
        e = assertThrows(EstimateException.class, () -> ExtractResult.read(out));
        assertTrue(e.getMessage().contains("q999"), e.getMessage());
        n = (ObjectNode) om.readTree(good);
        ((ObjectNode) n.get("settings")).put("estimator", "magic");
        Files.writeString(out, n.toString());
        e = assertThrows(EstimateException.class, () -> ExtractResult.read(out));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        n = (ObjectNode) om.readTree(good);
        n.put("format", "chimera-extract/0");
        Files.writeString(out, n.toString());
        e = assertThrows(EstimateException.class, () -> ExtractResult.read(out));
        assertTrue(e.getMessage().contains("chimera-extract/0"), e.getMessage());
        e = assertThrows(EstimateException.class, () -> ExtractResult.read(dir.resolve("nope.json")));
        assertTrue(e.getMessage().contains("nope.json") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void estimatorOfTheResultFollowsTheFormulas() throws IOException {
        // one parent plus reference models: mp-IRT uses the parent's theta as is (one parent)
        ResponseMatrix ref = data.matrix.selectModels(new int[] {1, 2, 3, 4, 5});
        ExtractResult r = Extract.run(
                List.of(models.get(0)),
                Extract.TaskInput.load(taskFile),
                evaluator(),
                cache(),
                Extract.Settings.of("stratified", 12, 4, "mpirt"),
                ref,
                m -> {});
        assertEquals(
                List.of("base1", "base2", "base3", "base4", "base5"),
                r.reference().models());
        assertEquals(6, r.irt().thetas().length);
        SubsetEstimator est = r.estimator();
        assertEquals(r.subset().itemIds(), est.itemIds());
        Map<String, Boolean> answers = new LinkedHashMap<>();
        double[] y = new double[12];
        for (int k = 0; k < 12; k++) {
            y[k] = (k % 3 == 0) ? 1 : 0;
            answers.put(est.itemIds().get(k), y[k] == 1);
        }
        answers.put("not-in-subset", true);
        double weighted = 0;
        for (int k = 0; k < 12; k++) {
            weighted += r.subset().weights()[k] * y[k];
        }
        double[] th = r.models().get(0).theta();
        double unseen = 0;
        int u = 0;
        for (int j = 0; j < ITEMS; j++) {
            final int jj = j;
            if (Arrays.stream(r.subset().indices()).noneMatch(x -> x == jj)) {
                double z = r.irt().a()[j][0] * th[0]
                        + r.irt().a()[j][1] * th[1]
                        - r.irt().b()[j];
                unseen += 1 / (1 + Math.exp(-z));
                u++;
            }
        }
        assertEquals(ITEMS - 12, u);
        double l = 12.0 / ITEMS;
        assertEquals(l * weighted + (1 - l) * unseen / u, est.estimate(answers), 1e-12);
        assertEquals(weighted, est.estimate("weighted", answers), 1e-15);
        assertEquals(4.0 / 12, est.estimate("mean", answers), 1e-15);
        answers.remove(est.itemIds().get(5));
        EstimateException e = assertThrows(EstimateException.class, () -> est.estimate(answers));
        assertTrue(e.getMessage().contains(est.itemIds().get(5)), e.getMessage());
    }

    @Test
    void mixtureEstimatorsUseEveryParentsTheta() {
        ExtractResult r = run(Extract.Settings.of("random", 20, 2, "gmpirt"));
        assertEquals(4, r.parentThetas().length);
        for (int i = 0; i < 4; i++) {
            assertTrue(Arrays.equals(r.irt().thetas()[i], r.models().get(i).theta()));
        }
        SubsetEstimator est = r.estimator();
        // all correct / all wrong subsets stay finite and inside [0, 1]
        for (boolean v : new boolean[] {true, false}) {
            Map<String, Boolean> a = new HashMap<>();
            est.itemIds().forEach(id -> a.put(id, v));
            for (String m : Estimators.names()) {
                double e = est.estimate(m, a);
                assertTrue(e >= 0 && e <= 1, m + " " + e);
            }
        }
        // a parent's own answers on the subset estimate near its true accuracy (gmpirt)
        for (int i = 0; i < 4; i++) {
            Map<String, Boolean> a = new HashMap<>();
            for (String id : est.itemIds()) {
                a.put(id, data.matrix.get(i, data.matrix.itemIds().indexOf(id)) == 1);
            }
            assertEquals(r.models().get(i).accuracy(), est.estimate(a), 0.12, "base" + i);
        }
    }

    @Test
    void badSettingsAndTooFewModelsAreRefused() {
        assertTrue(assertThrows(EstimateException.class, () -> Extract.Settings.of("anchors", 5, 0, "mean"))
                .getMessage()
                .contains("anchors"));
        assertTrue(assertThrows(EstimateException.class, () -> Extract.Settings.of("anchor", 5, 0, "gpirtt"))
                .getMessage()
                .contains("gpirtt"));
        assertTrue(assertThrows(EstimateException.class, () -> Extract.Settings.of("anchor", 0, 0, "mean"))
                .getMessage()
                .contains("n must be"));
        EstimateException e =
                assertThrows(EstimateException.class, () -> run(Extract.Settings.of("random", ITEMS + 1, 0, "mean")));
        assertTrue(e.getMessage().contains(String.valueOf(ITEMS + 1)), e.getMessage());
        e = assertThrows(
                EstimateException.class,
                () -> Extract.run(
                        List.of(models.get(0)),
                        Extract.TaskInput.load(taskFile),
                        evaluator(),
                        cache(),
                        Extract.Settings.of("random", 5, 0, "pirt"),
                        null,
                        m -> {}));
        assertTrue(e.getMessage().contains("at least 2 models"), e.getMessage());
        assertEquals(0, calls.get(), "refused before evaluating anything");
        // one model with the mean needs no IRT
        ExtractResult one = Extract.run(
                List.of(models.get(0)),
                Extract.TaskInput.load(taskFile),
                evaluator(),
                cache(),
                Extract.Settings.of("random", 5, 0, "mean"),
                null,
                m -> {});
        assertNull(one.irt());
        assertNull(one.calibration());
        e = assertThrows(
                EstimateException.class,
                () -> Extract.run(
                        List.of(models.get(0), models.get(0)),
                        Extract.TaskInput.load(taskFile),
                        evaluator(),
                        cache(),
                        Extract.Settings.of("random", 5, 0, "mean"),
                        null,
                        m -> {}));
        assertTrue(e.getMessage().contains("same model"), e.getMessage());
    }

    @Test
    void anchorsOverTooFewModelsWarnAboutZeroWeights() {
        // two models: at most 4 distinct answer patterns, so at most 4 non-empty clusters of 10
        List<String> log = new ArrayList<>();
        ExtractResult r = Extract.run(
                models.subList(0, 2),
                Extract.TaskInput.load(taskFile),
                evaluator(),
                cache(),
                Extract.Settings.of("anchor", 10, 0, "weighted"),
                null,
                log::add);
        long zero = Arrays.stream(r.subset().weights()).filter(w -> w == 0).count();
        assertTrue(zero >= 6, Arrays.toString(r.subset().weights()));
        assertTrue(
                log.stream()
                        .anyMatch(l -> l.startsWith("warning: " + zero + " of the 10 selected items have weight 0")),
                log.toString());
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
