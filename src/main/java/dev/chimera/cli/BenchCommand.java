package dev.chimera.cli;

import dev.chimera.bench.EngineBench;
import dev.chimera.bench.MergeBench;
import dev.chimera.bench.ModelBench;
import dev.chimera.bench.SyntheticModels;
import dev.chimera.eval.CausalLMAdapter;
import dev.chimera.eval.Item;
import dev.chimera.eval.LanguageModel;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import dev.chimera.eval.TaskResult;
import dev.chimera.eval.TaskRunner;
import dev.chimera.eval.TokenCodec;
import dev.chimera.eval.Tokenizer;
import dev.chimera.model.CausalLM;
import dev.chimera.zoo.Zoo;
import dev.chimera.zoo.ZooBuilder;
import dev.chimera.zoo.ZooSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chimera bench}: the benchmarks behind docs/benchmarks.md. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run a benchmark (merge, model, generate or engine).")
final class BenchCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "WHAT",
            description = "merge, model (inference; uses --work and --threads only),"
                    + " generate (a generation task decoded in batches vs one prompt at a time; uses --zoo and --repeats), or engine"
                    + " (actor overhead)")
    String what;

    @Option(
            names = "--zoo",
            description = "generate: a built zoo (default: the demo's zoo of seed 0 in ~/.cache/chimera/zoo)")
    Path zoo;

    @Option(
            names = "--work",
            defaultValue = "target/bench",
            description = "folder for synthetic models and outputs (default ${DEFAULT-VALUE})")
    Path work;

    @Option(names = "--methods", split = ",", defaultValue = "linear,task_arithmetic,ties,dare_ties,slerp")
    List<String> methods;

    @Option(names = "--threads", defaultValue = "2")
    int threads;

    @Option(names = "--repeats", defaultValue = "2", description = "runs per method; the fastest is reported")
    int repeats;

    @Option(names = "--hidden", defaultValue = "2048")
    int hidden;

    @Option(names = "--intermediate", defaultValue = "5632")
    int intermediate;

    @Option(names = "--layers", defaultValue = "10")
    int layers;

    @Option(names = "--vocab", defaultValue = "32000")
    int vocab;

    @Option(
            names = "--workers",
            split = ",",
            defaultValue = "1,2,4",
            description = "engine: worker counts (default ${DEFAULT-VALUE})")
    List<Integer> engineWorkers;

    @Option(names = "--build-ms", defaultValue = "100", description = "engine: simulated merge per candidate (ms)")
    long buildMs;

    @Option(names = "--eval-ms", defaultValue = "200", description = "engine: simulated evaluation per candidate (ms)")
    long evalMs;

    @Option(names = "--per-worker", defaultValue = "40", description = "engine: candidates per worker")
    int perWorker;

    @Override
    public Integer call() throws Exception {
        if (what.equals("model")) {
            return model();
        }
        if (what.equals("generate")) {
            return generate();
        }
        if (what.equals("engine")) {
            List<EngineBench.Row> rows = EngineBench.run(
                    work.resolve("engine"),
                    engineWorkers,
                    Duration.ofMillis(buildMs),
                    Duration.ofMillis(evalMs),
                    perWorker,
                    System.out);
            System.out.println();
            EngineBench.table(rows, System.out);
            return 0;
        }
        if (!what.equals("merge")) {
            throw new IllegalArgumentException(
                    "unknown benchmark '" + what + "' (known: merge, model, generate, engine)");
        }
        PeakMemory.start();
        SyntheticModels.Shape shape = new SyntheticModels.Shape(hidden, intermediate, layers, vocab, 16, 4);
        System.out.printf(
                "synthetic Llama: hidden %d, intermediate %d, %d layers, vocab %d: %.0fM parameters, %.2f GB bf16 per model%n",
                hidden, intermediate, layers, vocab, shape.parameters() / 1e6, shape.parameters() * 2 / 1e9);
        List<MergeBench.Row> rows = MergeBench.run(work, shape, methods, threads, repeats, System.out);
        System.out.println();
        System.out.println(
                "| method | to disk (s) | read+written (GB) | GB/s | vs memory copy | vs file copy | in memory (s) | GB/s | vs memory copy |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (MergeBench.Row r : rows) {
            double copy = rows.get(0).gbPerSec();
            System.out.printf(
                    "| %s | %.2f | %.2f | %.2f | %.0f %% | %.0f %% | %.2f | %.2f | %.0f %% |%n",
                    r.method(),
                    r.seconds(),
                    (r.bytesRead() + r.bytesWritten()) / 1e9,
                    r.gbPerSec(),
                    100 * r.ratioToCopy(),
                    100 * r.ratioToFileCopy(),
                    r.memorySeconds(),
                    r.memoryGbPerSec(),
                    100 * r.memoryGbPerSec() / copy);
        }
        System.out.println("peak RSS " + PeakMemory.describe());
        return 0;
    }

    private Integer model() throws Exception {
        PeakMemory.start();
        SyntheticModels.Shape shape = ModelBench.DEFAULT_SHAPE;
        System.out.printf(
                "synthetic Llama: hidden %d, intermediate %d, %d layers, vocab %d, %d heads, %d KV heads: %d parameters%n",
                shape.hidden(),
                shape.intermediate(),
                shape.layers(),
                shape.vocab(),
                shape.heads(),
                shape.kvHeads(),
                shape.parameters());
        Path dir = ModelBench.modelDir(work, shape, System.out);
        ModelBench.Result r = ModelBench.run(dir, shape.parameters(), threads, ModelBench.DEFAULT_REPEATS, System.out);
        System.out.println();
        System.out.println("| measure | median | best |");
        System.out.println("| --- | --- | --- |");
        System.out.printf(
                "| prefill %d tokens (tok/s) | %.1f | %.1f |%n",
                ModelBench.PREFILL_TOKENS, r.prefillTokensPerSecMedian(), r.prefillTokensPerSecBest());
        System.out.printf(
                "| decode %d new tokens after %d (tok/s) | %.1f | %.1f |%n",
                ModelBench.DECODE_NEW,
                ModelBench.DECODE_PROMPT,
                r.decodeTokensPerSecMedian(),
                r.decodeTokensPerSecBest());
        System.out.println("peak RSS " + PeakMemory.describe());
        return 0;
    }

    /**
     * The zoo's held-out target task through {@code TaskRunner} with expert 1, decoded in batches (the adapter's
     * list call) and one prompt at a time with the KV cache (the interface's default loop), interleaved; both must
     * give the same outputs.
     */
    private Integer generate() {
        Zoo z = new Zoo(zoo != null ? zoo : ZooBuilder.defaultDir(ZooSpec.defaults(), 0));
        if (!Files.isRegularFile(z.task(Zoo.TARGET_TEST))) {
            throw new IllegalArgumentException(
                    "--zoo " + z.dir() + " holds no built zoo (chimera zoo build, or chimera demo, makes one)");
        }
        Task task = TaskLoader.load(z.task(Zoo.TARGET_TEST));
        List<Item> items = TaskLoader.items(task);
        try (Tokenizer tok = Tokenizer.load(z.expert1());
                CausalLM lm = CausalLM.load(z.expert1())) {
            TokenCodec codec = TokenCodec.of(tok);
            CausalLMAdapter batched = new CausalLMAdapter(lm, () -> {});
            LanguageModel oneByOne = new LanguageModel() {
                @Override
                public List<LogLikelihood> logLikelihoods(List<int[]> contexts, List<int[]> continuations) {
                    return batched.logLikelihoods(contexts, continuations);
                }

                @Override
                public int[] generate(int[] prompt, int maxNewTokens, Set<Integer> stopIds) {
                    return batched.generate(prompt, maxNewTokens, stopIds);
                }
            };
            double[][] secs = new double[2][repeats];
            List<String> outputs = null;
            int differing = 0;
            for (int r = 0; r < repeats; r++) {
                for (int mode = 0; mode < 2; mode++) {
                    long t0 = System.nanoTime();
                    TaskResult res =
                            new TaskRunner(mode == 0 ? batched : oneByOne, codec, null).run(task, items, List.of());
                    secs[mode][r] = (System.nanoTime() - t0) / 1e9;
                    List<String> out = res.items().stream()
                            .map(i -> i.id() + "\t" + i.correct() + "\t" + i.output())
                            .toList();
                    if (outputs == null) {
                        outputs = out;
                    } else {
                        // padded batches and the KV cache are different GEMM shapes: a greedy near-tie may be decided
                        // differently (per CPU), so differences are counted, not fatal
                        int d = 0;
                        for (int i = 0; i < out.size(); i++) {
                            d += out.get(i).equals(outputs.get(i)) ? 0 : 1;
                        }
                        differing = Math.max(differing, d);
                    }
                    System.out.printf(
                            "repeat %d %-10s %.3f s%n", r + 1, mode == 0 ? "batched" : "one by one", secs[mode][r]);
                }
            }
            double b = median(secs[0]);
            double o = median(secs[1]);
            System.out.println();
            System.out.printf(
                    "%s, %d items, expert 1 of %s, %d interleaved repeats, %s%n",
                    task.name(),
                    items.size(),
                    z.dir(),
                    repeats,
                    differing == 0
                            ? "identical outputs"
                            : differing + " output(s) differ (greedy near-ties rounded differently by the two paths)");
            System.out.println("| decoding | median (s) | items/s |");
            System.out.println("| --- | --- | --- |");
            System.out.printf(
                    "| batched (%d prompts per pass) | %.3f | %.0f |%n",
                    CausalLMAdapter.GENERATION_BATCH, b, items.size() / b);
            System.out.printf("| one by one, KV cache | %.3f | %.0f |%n", o, items.size() / o);
            System.out.printf("speed-up %.1fx%n", o / b);
        }
        return 0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
