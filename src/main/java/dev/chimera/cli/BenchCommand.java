package dev.chimera.cli;

import dev.chimera.bench.MergeBench;
import dev.chimera.bench.ModelBench;
import dev.chimera.bench.SyntheticModels;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chimera bench}: the benchmarks behind docs/benchmarks.md. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark (merge, model or engine).")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "WHAT", description = "merge, model (inference; uses --work and --threads only), or engine (actor overhead)")
    String what;

    @Option(names = "--work", defaultValue = "target/bench", description = "folder for synthetic models and outputs (default ${DEFAULT-VALUE})")
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

    @Option(names = "--workers", split = ",", defaultValue = "1,2,4", description = "engine: worker counts (default ${DEFAULT-VALUE})")
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
        if (what.equals("engine")) {
            List<dev.chimera.bench.EngineBench.Row> rows = dev.chimera.bench.EngineBench.run(work.resolve("engine"), engineWorkers,
                    java.time.Duration.ofMillis(buildMs), java.time.Duration.ofMillis(evalMs), perWorker, System.out);
            System.out.println();
            dev.chimera.bench.EngineBench.table(rows, System.out);
            return 0;
        }
        if (!what.equals("merge")) {
            throw new IllegalArgumentException("unknown benchmark '" + what + "' (known: merge, model, engine)");
        }
        PeakMemory.start();
        SyntheticModels.Shape shape = new SyntheticModels.Shape(hidden, intermediate, layers, vocab, 16, 4);
        System.out.printf("synthetic Llama: hidden %d, intermediate %d, %d layers, vocab %d: %.0fM parameters, %.2f GB bf16 per model%n",
                hidden, intermediate, layers, vocab, shape.parameters() / 1e6, shape.parameters() * 2 / 1e9);
        List<MergeBench.Row> rows = MergeBench.run(work, shape, methods, threads, repeats, System.out);
        System.out.println();
        System.out.println("| method | to disk (s) | read+written (GB) | GB/s | vs memory copy | vs file copy | in memory (s) | GB/s | vs memory copy |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (MergeBench.Row r : rows) {
            double copy = rows.get(0).gbPerSec();
            System.out.printf("| %s | %.2f | %.2f | %.2f | %.0f %% | %.0f %% | %.2f | %.2f | %.0f %% |%n", r.method(), r.seconds(),
                    (r.bytesRead() + r.bytesWritten()) / 1e9, r.gbPerSec(), 100 * r.ratioToCopy(), 100 * r.ratioToFileCopy(),
                    r.memorySeconds(), r.memoryGbPerSec(), 100 * r.memoryGbPerSec() / copy);
        }
        System.out.println("peak RSS " + PeakMemory.describe());
        return 0;
    }

    private Integer model() throws Exception {
        PeakMemory.start();
        SyntheticModels.Shape shape = ModelBench.DEFAULT_SHAPE;
        System.out.printf("synthetic Llama: hidden %d, intermediate %d, %d layers, vocab %d, %d heads, %d KV heads: %d parameters%n",
                shape.hidden(), shape.intermediate(), shape.layers(), shape.vocab(), shape.heads(), shape.kvHeads(), shape.parameters());
        Path dir = ModelBench.modelDir(work, shape, System.out);
        ModelBench.Result r = ModelBench.run(dir, shape.parameters(), threads, ModelBench.DEFAULT_REPEATS, System.out);
        System.out.println();
        System.out.println("| measure | median | best |");
        System.out.println("| --- | --- | --- |");
        System.out.printf("| prefill %d tokens (tok/s) | %.1f | %.1f |%n", ModelBench.PREFILL_TOKENS, r.prefillTokensPerSecMedian(), r.prefillTokensPerSecBest());
        System.out.printf("| decode %d new tokens after %d (tok/s) | %.1f | %.1f |%n", ModelBench.DECODE_NEW, ModelBench.DECODE_PROMPT,
                r.decodeTokensPerSecMedian(), r.decodeTokensPerSecBest());
        System.out.println("peak RSS " + PeakMemory.describe());
        return 0;
    }
}
