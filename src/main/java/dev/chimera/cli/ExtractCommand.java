package dev.chimera.cli;

import dev.chimera.estimate.Extract;
import dev.chimera.estimate.ExtractResult;
import dev.chimera.estimate.IrtConfig;
import dev.chimera.estimate.ResponseCache;
import dev.chimera.estimate.ResponseMatrix;
import dev.chimera.estimate.TaskEvaluator;
import dev.chimera.eval.Item;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code chimera extract}: the extract stage of a search (parents evaluated once, IRT, item subset) as a JSON file. */
@Command(
        name = "extract",
        mixinStandardHelpOptions = true,
        description =
                "Evaluate parent models once on a task (cached), fit IRT and choose the item subset for a search.")
final class ExtractCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "parent model folder (repeatable)")
    List<Path> models;

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "task file (.yml/.yaml/.conf)")
    Path task;

    @Option(names = "--n", required = true, description = "number of items in the subset")
    int n;

    @Option(
            names = "--selector",
            defaultValue = "anchor",
            description = "random, stratified, anchor, anchor-irt (default ${DEFAULT-VALUE})")
    String selector;

    @Option(
            names = "--estimator",
            defaultValue = "gpirt",
            description =
                    "mean, weighted, irt, irt-model, pirt, gpirt, mpirt, gmpirt, gmpirt-auto (default ${DEFAULT-VALUE})")
    String estimator;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the selection (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--dims", defaultValue = "2", description = "IRT dimensions (default ${DEFAULT-VALUE})")
    int dims;

    @Option(
            names = "--reference",
            paramLabel = "MATRIX.csv",
            description = "more models' 0/1 responses on the task's items for the IRT fit (estimator-bench CSV form)")
    Path reference;

    @Option(names = "--cache", required = true, paramLabel = "DIR", description = "per-item results cache folder")
    Path cache;

    @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "where the result goes")
    Path out;

    @Option(names = "--force", description = "redo the extract even if FILE.json exists from other inputs")
    boolean force;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda:N (default: ${DEFAULT-VALUE})")
    String device;

    @Override
    public Integer call() throws Exception {
        Task t = TaskLoader.load(task);
        List<Item> items = TaskLoader.items(t);
        List<Item> fewshot = TaskLoader.fewshotItems(t);
        Extract.TaskInput input = Extract.TaskInput.of(t, items, fewshot);
        Extract.Settings settings = new Extract.Settings(
                selector, n, seed, estimator, IrtConfig.defaults().withDims(dims), 5);
        ResponseMatrix ref = reference == null ? null : ResponseMatrix.readCsv(reference);
        TaskEvaluator evaluator = new TaskEvaluator(t, items, fewshot, device, () -> {});
        ResponseCache rc = new ResponseCache(cache, w -> System.err.println("warning: " + w));
        ExtractResult r =
                Extract.loadOrRun(out, force, models, input, evaluator, rc, settings, ref, System.err::println);
        ExtractResult.Cost c = r.cost();
        System.out.printf(
                Locale.ROOT,
                "%s: %d items, subset of %d (%s), estimator %s%n",
                r.task().name(),
                r.task().itemIds().size(),
                r.subset().itemIds().size(),
                r.subset().kind(),
                r.settings().estimator());
        for (ExtractResult.ModelInfo m : r.models()) {
            System.out.printf(
                    Locale.ROOT,
                    "  %s: accuracy %.4f, %s, %.2f s%n",
                    m.name(),
                    m.accuracy(),
                    m.cacheHit() ? "cache hit" : m.itemsEvaluated() + " items evaluated",
                    m.seconds());
        }
        System.out.printf(
                Locale.ROOT,
                "cost: %d items evaluated, %d cache hits, %.2f s evaluating, %.2f s fitting, " + "%.2f s in all%n",
                c.itemsEvaluated(),
                c.cacheHits(),
                c.evaluationSeconds(),
                c.fitSeconds(),
                c.wallSeconds());
        System.out.println("result: " + out);
        return 0;
    }
}
