package dev.chimera.cli;

import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeConfigYaml;
import dev.chimera.merge.MergePlan;
import dev.chimera.merge.MergeRunner;
import dev.chimera.merge.TensorMerge;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code chimera merge}: runs a mergekit YAML config. */
@Command(
        name = "merge",
        mixinStandardHelpOptions = true,
        description = "Merge models with a mergekit YAML config (same methods, parameters and semantics as mergekit).")
final class MergeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG.yml", description = "mergekit merge config")
    Path config;

    @Parameters(index = "1", paramLabel = "OUT_DIR", arity = "0..1", description = "output model folder")
    Path out;

    @Option(names = "--device", description = "cpu or cuda:N (default: ${DEFAULT-VALUE})")
    String device;

    @Option(
            names = "--random-seed",
            description =
                    "seed of the random methods (dare_*, della*, arcee_fusion sampling); default ${DEFAULT-VALUE}")
    long seed;

    @Option(
            names = "--out-shard-size",
            description =
                    "maximum bytes per output shard, e.g. 5B, 500M, 1G (mergekit's units: K/M/B = 1e3/1e6/1e9); default ${DEFAULT-VALUE}")
    String shardSize;

    @Option(names = "--threads", description = "tensors merged in parallel (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--force", description = "replace OUT_DIR if it exists")
    boolean force;

    @Option(names = "--print-plan", description = "print what each output tensor gets, then exit without merging")
    boolean printPlan;

    @Override
    public Integer call() {
        PeakMemory.start();
        MergeConfig cfg = MergeConfigYaml.read(config);
        Path configDir = config.toAbsolutePath().getParent();
        if (printPlan) {
            PlanPrinter.print(cfg, configDir, System.out);
            return 0;
        }
        if (out == null) {
            throw new IllegalArgumentException("OUT_DIR is required (or use --print-plan)");
        }
        long shard = ShardedSafetensorsWriter.parseSize(shardSize);
        MergeRunner.Options options = new MergeRunner.Options(device, seed, shard, threads, force);
        final Progress[] progress = new Progress[1];
        MergeRunner.Result r = MergeRunner.run(cfg, configDir, out, options, new MergeRunner.Listener() {
            @Override
            public void started(MergePlan plan) {
                System.err.printf(
                        "merging %d tensors with %s (architecture %s) into %s%n",
                        plan.tensors().size(), plan.method(), plan.architecture(), out);
                PlanPrinter.printUnlisted(plan, System.err);
                progress[0] = new Progress(System.err, "merge", plan.tensors().size());
            }

            @Override
            public void tensorDone(TensorMerge tensor, long bytesRead, long bytesWritten) {
                progress[0].step(bytesRead + bytesWritten);
            }
        });
        System.out.printf(
                "wrote %s: %d tensors, %.1f MB read, %.1f MB written, %.2f s, peak RSS %s%n",
                r.output(),
                r.plan().tensors().size(),
                r.bytesRead() / 1e6,
                r.bytesWritten() / 1e6,
                r.seconds(),
                PeakMemory.describe());
        return 0;
    }
}
