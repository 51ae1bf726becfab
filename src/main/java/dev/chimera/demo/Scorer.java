package dev.chimera.demo;

import ai.djl.Device;
import dev.chimera.eval.CausalLMAdapter;
import dev.chimera.eval.Item;
import dev.chimera.eval.ItemResult;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import dev.chimera.eval.TaskResult;
import dev.chimera.eval.TaskRunner;
import dev.chimera.eval.TokenCodec;
import dev.chimera.eval.Tokenizer;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeRunner;
import dev.chimera.merge.MergedWeights;
import dev.chimera.merge.ModelFolders;
import dev.chimera.model.CausalLM;
import dev.chimera.model.ModelConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scores models on whole task files the way {@code chimera eval} does ({@link TaskRunner} through
 * {@link CausalLMAdapter}: greedy generation, exact match on the last number): model folders, and merges built in
 * memory as a worker builds a candidate ({@code MergeRunner.runToSink} into float32 arrays, then
 * {@link CausalLM#fromWeights}), so nothing is written per merge.
 */
final class Scorer implements AutoCloseable {
    /** A model's result on a whole task. */
    /** @param answers per item id, 1 if answered correctly (for paired comparisons) */
    record Score(String task, double accuracy, int items, double seconds, Map<String, Integer> answers) {
        /** The answers as a vector in the order of {@code ids}. */
        int[] vector(List<String> ids) {
            return ids.stream().mapToInt(answers::get).toArray();
        }
    }

    private record Loaded(Task task, List<Item> items, List<Item> fewshot) {}

    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final TokenCodec codec;
    private final ModelFolders sources;
    private final Consumer<String> progress;
    private final MergeRunner.Options mergeOptions;
    private final Map<Path, Loaded> tasks = new HashMap<>();

    /**
     * @param base the folder whose config and tokenizer merged models use (the merges' base)
     * @param sources every model folder a merge may refer to, opened once
     * @param seed the run's seed: random merge methods (DARE, DELLA) then draw the masks the run drew
     * @param progress one line per scored model
     */
    Scorer(Path base, List<Path> sources, long seed, Consumer<String> progress) {
        this.config = ModelConfig.read(base);
        this.tokenizer = Tokenizer.load(base);
        this.codec = TokenCodec.of(tokenizer);
        this.progress = progress;
        MergeRunner.Options d = MergeRunner.Options.defaults();
        this.mergeOptions = new MergeRunner.Options(d.device(), seed, d.shardBytes(), d.threads(), false);
        try {
            this.sources = ModelFolders.open(
                    sources.stream().map(p -> p.toAbsolutePath().toString()).toList(), Path.of("/"));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    private Loaded task(Path file) {
        return tasks.computeIfAbsent(file.toAbsolutePath(), f -> {
            Task t = TaskLoader.load(f);
            return new Loaded(t, TaskLoader.items(t), TaskLoader.fewshotItems(t));
        });
    }

    /** The number of items of a task file. */
    int items(Path taskFile) {
        return task(taskFile).items().size();
    }

    /** A model folder on a task. */
    Score folder(String label, Path model, Path taskFile) {
        try (CausalLM lm = CausalLM.load(model)) {
            return score(label, lm, taskFile);
        }
    }

    /** A model folder on several tasks (loaded once). */
    Map<Path, Score> folder(String label, Path model, List<Path> taskFiles) {
        Map<Path, Score> out = new LinkedHashMap<>();
        try (CausalLM lm = CausalLM.load(model)) {
            for (Path t : taskFiles) {
                out.put(t, score(label, lm, t));
            }
        }
        return out;
    }

    /** A merge built in memory, on several tasks. */
    Map<Path, Score> merge(String label, MergeConfig merge, List<Path> taskFiles) {
        Map<Path, Score> out = new LinkedHashMap<>();
        try (MergedWeights merged = MergedWeights.merge(merge, sources, mergeOptions, Device.cpu());
                CausalLM lm = CausalLM.fromWeights(config, merged.weights())) {
            for (Path t : taskFiles) {
                out.put(t, score(label, lm, t));
            }
        }
        return out;
    }

    private Score score(String label, CausalLM lm, Path taskFile) {
        Loaded l = task(taskFile);
        long t0 = System.nanoTime();
        TaskResult r = TaskRunner.score(lm, codec, l.task(), l.items(), l.fewshot(), () -> {});
        int correct = 0;
        Map<String, Integer> answers = new LinkedHashMap<>();
        for (ItemResult i : r.items()) {
            correct += i.correct() ? 1 : 0;
            answers.put(i.id(), i.correct() ? 1 : 0);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Score s = new Score(
                l.task().name(), (double) correct / r.items().size(), r.items().size(), secs, answers);
        progress.accept(String.format(
                Locale.ROOT,
                "  %-22s %-16s %5.1f %%  (%d items, %.1f s)",
                label,
                s.task(),
                100 * s.accuracy(),
                s.items(),
                secs));
        return s;
    }

    @Override
    public void close() {
        try {
            sources.close();
        } finally {
            tokenizer.close();
        }
    }
}
