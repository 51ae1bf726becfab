package dev.chimera.zoo;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chimera.model.CheckpointLayout;
import dev.chimera.model.ModelConfig;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.OutputFolder;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import dev.chimera.tensor.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;

/**
 * Builds a zoo: trains the base on language A (no arithmetic), fine-tunes expert 1 on arithmetic in A and adapts
 * expert 2 to language B (its letters' embedding rows first, then a short fine-tune), writes the three Hugging Face
 * folders and the task files. A zoo is built in a temporary
 * sibling folder and renamed into place at the end, so an interrupted build leaves nothing behind; an existing zoo for
 * the same recipe, spec and seed is reused.
 */
public final class ZooBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ZooBuilder() {}

    /** {@code ~/.cache/chimera/zoo/<recipe-spec hash>-seed<S>}. */
    public static Path defaultDir(ZooSpec spec, long seed) {
        return Path.of(System.getProperty("user.home"), ".cache", "chimera", "zoo", spec.key() + "-seed" + seed);
    }

    /**
     * Returns the zoo in {@code dir}: reused when it holds a complete zoo of this spec and seed, built otherwise.
     *
     * @throws ZooException when {@code dir} exists but is not that zoo (nothing is deleted)
     */
    public static Zoo openOrBuild(Path dir, ZooSpec spec, long seed, Consumer<String> log) {
        if (seed < 0) {
            throw new ZooException("zoo seed " + seed + " must be >= 0");
        }
        Zoo zoo = new Zoo(dir);
        if (Files.exists(dir)) {
            requireSame(zoo, spec, seed);
            log.accept("reusing zoo " + dir);
            return zoo;
        }
        return build(dir, spec, seed, log);
    }

    private static void requireSame(Zoo zoo, ZooSpec spec, long seed) {
        if (!zoo.complete()) {
            throw new ZooException(zoo.dir() + " exists but is not a complete zoo (no " + Zoo.MANIFEST
                    + " or a model is missing); remove it or choose another folder");
        }
        JsonNode m;
        try {
            m = JSON.readTree(zoo.manifest().toFile());
        } catch (IOException e) {
            throw new ZooException("cannot read " + zoo.manifest() + ": " + e.getMessage(), e);
        }
        String key = m.path("key").asText();
        long s = m.path("seed").asLong(-1);
        if (!key.equals(spec.key()) || s != seed) {
            throw new ZooException(zoo.dir() + " holds zoo " + key + " seed " + s + ", not " + spec.key() + " seed "
                    + seed + "; remove it or choose another folder");
        }
    }

    /**
     * Builds a zoo into {@code dir} (which must not exist). Training runs on one PyTorch thread (set for the whole
     * process while building, restored after), which makes a zoo byte-identical for a seed whatever the core count,
     * and on a shared 2-core machine it is also the faster setting.
     */
    public static Zoo build(Path dir, ZooSpec spec, long seed, Consumer<String> log) {
        if (seed < 0) {
            throw new ZooException("zoo seed " + seed + " must be >= 0");
        }
        Engine.getEngine("PyTorch");
        int threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        try {
            return buildPinned(dir, spec, seed, log);
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    private static Zoo buildPinned(Path dir, ZooSpec spec, long seed, Consumer<String> log) {
        long t0 = System.nanoTime();
        Languages lang = new Languages(seed);
        ModelConfig config = modelConfig(spec);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("recipe", ZooSpec.RECIPE);
        manifest.put("key", spec.key());
        manifest.put("seed", seed);
        manifest.put("spec", spec.toString());
        manifest.put("parameters", parameterCount(config));
        ObjectNode phases = manifest.putObject("phases");
        try (OutputFolder folder = OutputFolder.begin(dir, false)) {
            Path tmp = folder.tempDir();
            Map<String, float[]> baseWeights;
            try (Trainer t = new Trainer(config, Trainer.initialWeights(config, seed))) {
                baseWeights = train(t, "base", spec.base(), baseMixture(lang), seed * 31 + 1, phases, log);
            }
            writeModel(tmp.resolve(Zoo.BASE), spec, baseWeights);
            try (Trainer t = new Trainer(config, baseWeights)) {
                writeModel(
                        tmp.resolve(Zoo.EXPERT1),
                        spec,
                        train(t, "expert1", spec.expert1(), expert1Mixture(lang), seed * 31 + 2, phases, log));
            }
            try (Trainer t = new Trainer(config, baseWeights)) {
                // first the new script's rows, learned so that B text reads as A does: the frozen base predicts the
                // A spelling of every next character
                Map<String, float[]> w = train(
                        t, "expert2", spec.expert2(), expert2Mixture(lang), seed * 31 + 3, phases, log, readAsA(lang));
                if (spec.expert2Tune().steps() > 0) {
                    w = train(t, "expert2-tune", spec.expert2Tune(), expert2Mixture(lang), seed * 31 + 4, phases, log);
                }
                writeModel(tmp.resolve(Zoo.EXPERT2), spec, w);
            }
            writeTasks(tmp.resolve("tasks"), lang, spec, seed);
            manifest.put("seconds", (System.nanoTime() - t0) / 1e9);
            Files.writeString(
                    tmp.resolve(Zoo.MANIFEST),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest));
            folder.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write zoo " + dir + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            if (Files.exists(dir) && new Zoo(dir).complete()) {
                // another process finished the same zoo first
                requireSame(new Zoo(dir), spec, seed);
                return new Zoo(dir);
            }
            throw e;
        }
        log.accept(String.format("zoo %s built in %.1f s", dir, (System.nanoTime() - t0) / 1e9));
        return new Zoo(dir);
    }

    private static Map<String, float[]> train(
            Trainer t,
            String name,
            Trainer.Settings s,
            Trainer.Source source,
            long seed,
            ObjectNode phases,
            Consumer<String> log) {
        return train(t, name, s, source, seed, phases, log, x -> x);
    }

    /** Token map from each letter of B to the same letter of A (other tokens unchanged). */
    static IntUnaryOperator readAsA(Languages lang) {
        int[] map = new int[CharVocab.size()];
        for (int i = 0; i < map.length; i++) {
            map[i] = i;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            map[CharVocab.encode(lang.toB(String.valueOf(c)))[0]] = CharVocab.encode(String.valueOf(c))[0];
        }
        return x -> map[x];
    }

    private static Map<String, float[]> train(
            Trainer t,
            String name,
            Trainer.Settings s,
            Trainer.Source source,
            long seed,
            ObjectNode phases,
            Consumer<String> log,
            IntUnaryOperator targets) {
        long t0 = System.nanoTime();
        int every = Math.max(1, s.steps() / 5);
        double[] losses = t.train(
                s,
                source,
                seed,
                (step, loss, lr) -> {
                    if ((step + 1) % every == 0) {
                        log.accept(String.format(
                                "%s step %d/%d loss %.4f lr %.5f (%.2f s/step)",
                                name, step + 1, s.steps(), loss, lr, (System.nanoTime() - t0) / 1e9 / (step + 1)));
                    }
                },
                targets);
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode p = phases.putObject(name);
        p.put("steps", s.steps());
        p.put("seconds", seconds);
        p.put("secondsPerStep", s.steps() == 0 ? 0 : seconds / s.steps());
        if (losses.length > 0) {
            p.put("firstLoss", losses[0]);
            p.put("lastLossMean10", mean(losses, Math.max(0, losses.length - 10), losses.length));
        }
        return t.weights();
    }

    private static double mean(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    /** Base: A text and the A tasks only; B is a language it never saw (like Japanese for an English base). */
    static Trainer.Mixture baseMixture(Languages lang) {
        return new Trainer.Mixture()
                .add(3, r -> lang.sentence(r, false))
                .add(2, r -> lang.where(r, false))
                .add(2, r -> lang.count(r, false))
                .add(2, r -> lang.copy(r, false));
    }

    /** Expert 1: arithmetic word problems in A only, in every phrasing. */
    static Trainer.Mixture expert1Mixture(Languages lang) {
        return new Trainer.Mixture().add(1, r -> lang.arith(Languages.randomQuestion(r), false));
    }

    /** Expert 2: B text and the B tasks; no arithmetic. */
    static Trainer.Mixture expert2Mixture(Languages lang) {
        return new Trainer.Mixture()
                .add(2, r -> lang.sentence(r, true))
                .add(1, r -> lang.where(r, true))
                .add(1, r -> lang.count(r, true))
                .add(1, r -> lang.copy(r, true));
    }

    static ModelConfig modelConfig(ZooSpec spec) {
        return ModelConfig.parse(configJson(spec));
    }

    static String configJson(ZooSpec spec) {
        return """
                {
                  "architectures": ["LlamaForCausalLM"],
                  "model_type": "llama",
                  "hidden_size": %d,
                  "intermediate_size": %d,
                  "num_hidden_layers": %d,
                  "num_attention_heads": %d,
                  "num_key_value_heads": %d,
                  "vocab_size": %d,
                  "max_position_embeddings": 128,
                  "rms_norm_eps": 1e-05,
                  "rope_theta": 10000.0,
                  "hidden_act": "silu",
                  "tie_word_embeddings": false,
                  "bos_token_id": null,
                  "eos_token_id": %d,
                  "pad_token_id": %d,
                  "torch_dtype": "float32"
                }
                """.formatted(
                        spec.hidden(),
                        spec.intermediate(),
                        spec.layers(),
                        spec.heads(),
                        spec.heads(),
                        CharVocab.size(),
                        CharVocab.EOS,
                        CharVocab.PAD);
    }

    static long parameterCount(ModelConfig c) {
        long n = 0;
        for (long[] s : CheckpointLayout.expectedShapes(c).values()) {
            long k = 1;
            for (long d : s) {
                k *= d;
            }
            n += k;
        }
        return n;
    }

    /** Writes config.json, model.safetensors (float32) and the tokenizer files. */
    static void writeModel(Path dir, ZooSpec spec, Map<String, float[]> weights) throws IOException {
        Files.createDirectories(dir);
        Map<String, long[]> shapes = CheckpointLayout.expectedShapes(modelConfig(spec));
        List<TensorSpec> specs = new ArrayList<>();
        shapes.forEach((n, s) -> specs.add(new TensorSpec(n, DType.F32, s)));
        try (ShardedSafetensorsWriter w =
                new ShardedSafetensorsWriter(dir, specs, ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES)) {
            for (TensorSpec s : specs) {
                float[] v = weights.get(s.name());
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                w.write(s.name(), b);
            }
            w.finish();
        }
        Files.writeString(dir.resolve("config.json"), configJson(spec));
        CharVocab.writeTokenizer(dir);
    }

    /**
     * The target's splits: the test split poses {@code testProblems} problems in every phrasing, the search split the
     * other problems in every phrasing; so no test problem is seen by the search in any wording.
     */
    static void writeTasks(Path dir, Languages lang, ZooSpec spec, long seed) throws IOException {
        Files.createDirectories(dir);
        List<Languages.Problem> problems = new ArrayList<>(Languages.allProblems());
        Random shuffle = new Random(seed * 1_000_033L + 5);
        Collections.shuffle(problems, shuffle);
        List<Languages.Question> test = new ArrayList<>();
        for (Languages.Problem p : problems.subList(0, spec.testProblems())) {
            for (int t = 0; t < Languages.TEMPLATES; t++) {
                test.add(new Languages.Question(p, t));
            }
        }
        List<Languages.Question> search = new ArrayList<>();
        for (Languages.Problem p : problems.subList(spec.testProblems(), problems.size())) {
            for (int t = 0; t < Languages.TEMPLATES; t++) {
                search.add(new Languages.Question(p, t));
            }
        }
        Collections.shuffle(search, shuffle);
        search = search.subList(0, spec.searchItems());
        writeArith(dir, Zoo.TARGET_SEARCH, search, lang, true);
        writeArith(dir, Zoo.TARGET_TEST, test, lang, true);
        writeArith(dir, Zoo.SKILL1_TEST, test, lang, false);
        writeArith(dir, Zoo.SKILL1_SEARCH, search, lang, false);
        // one stream for both count splits, so their items are different draws
        Random r = new Random(seed * 1_000_037L + 9);
        writeCount(dir, Zoo.SKILL2_TEST, spec.skillItems(), lang, r);
        writeCount(dir, Zoo.SKILL2_SEARCH, spec.skillItems(), lang, r);
    }

    private static void writeCount(Path dir, String name, int n, Languages lang, Random r) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            Languages.Example e = lang.count(r, true);
            b.append(item(name, i, e.prompt(), Integer.parseInt(e.completion().trim())));
        }
        Files.writeString(dir.resolve(name + ".jsonl"), b.toString());
        Files.writeString(dir.resolve(name + ".yml"), taskYaml(name));
    }

    private static void writeArith(Path dir, String name, List<Languages.Question> questions, Languages lang, boolean b)
            throws IOException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < questions.size(); i++) {
            Languages.Question q = questions.get(i);
            out.append(item(name, i, lang.question(q, b), q.problem().answer()));
        }
        Files.writeString(dir.resolve(name + ".jsonl"), out.toString());
        Files.writeString(dir.resolve(name + ".yml"), taskYaml(name));
    }

    private static String item(String task, int i, String question, int answer) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", String.format("%s-%04d", task, i));
        o.put("question", question);
        o.put("answer", answer);
        return o.toString() + "\n";
    }

    private static String taskYaml(String name) {
        return """
                name: %s
                type: generation
                data: %s.jsonl
                prompt: "{question}"
                continuation: " {answer}"
                max_new_tokens: 5
                stop: ["|"]
                """.formatted(name, name);
    }
}
