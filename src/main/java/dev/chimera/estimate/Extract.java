package dev.chimera.estimate;

import dev.chimera.eval.Item;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The extract stage of a search: evaluate each parent model once on every item of a task (through a
 * {@link ResponseCache}), build the {@link ResponseMatrix} (parents, then optional reference models with known
 * responses), fit the {@link IrtModel}, choose the subset of items candidates will be evaluated on, and record the
 * cost. The {@link ExtractResult} is a JSON value a run folder stores; {@link #loadOrRun} reuses a stored one when
 * its inputs are unchanged, and {@link ExtractResult#estimator()} turns a candidate's answers on the subset into an
 * accuracy estimate.
 */
public final class Extract {
    private Extract() {}

    /** Estimators that need no IRT model. */
    private static final Set<String> NO_IRT = Set.of("mean", "weighted", "irt");

    /**
     * How the subset is chosen and estimated.
     *
     * @param selector one of {@link ItemSelector#kinds()}
     * @param n subset size
     * @param seed seed of the selection
     * @param estimator one of {@link Estimators#names()}
     * @param irt IRT fit settings
     * @param kmeansRestarts k-means restarts of anchor selections
     */
    public record Settings(String selector, int n, long seed, String estimator, IrtConfig irt, int kmeansRestarts) {
        public Settings {
            if (!ItemSelector.kinds().contains(selector)) {
                throw new EstimateException(
                        "unknown selector '" + selector + "' (known: " + ItemSelector.kinds() + ")");
            }
            if (!Estimators.names().contains(estimator)) {
                throw new EstimateException(
                        "unknown estimator '" + estimator + "' (known: " + Estimators.names() + ")");
            }
            if (n < 1) {
                throw new EstimateException("subset size n must be >= 1, got " + n);
            }
            if (irt == null) {
                throw new EstimateException("IRT settings missing");
            }
            if (kmeansRestarts < 1) {
                throw new EstimateException("kmeansRestarts must be >= 1, got " + kmeansRestarts);
            }
        }

        /** Default IRT settings and 5 k-means restarts (tinyBenchmarks). */
        public static Settings of(String selector, int n, long seed, String estimator) {
            return new Settings(selector, n, seed, estimator, IrtConfig.defaults(), 5);
        }

        /** Whether the estimator or the selector needs an IRT model. */
        boolean needsIrt() {
            return !NO_IRT.contains(estimator) || selector.equals("anchor-irt");
        }
    }

    /**
     * A task as the extract stage sees it.
     *
     * @param name the task's name
     * @param itemIds every item id, in data order
     * @param fingerprint {@link Fingerprint#task}
     */
    public record TaskInput(String name, List<String> itemIds, String fingerprint) {
        public TaskInput {
            itemIds = List.copyOf(itemIds);
            if (itemIds.isEmpty()) {
                throw new EstimateException("task " + name + " has no items");
            }
        }

        public static TaskInput of(Task task, List<Item> items, List<Item> fewshot) {
            return new TaskInput(
                    task.name(), items.stream().map(Item::id).toList(), Fingerprint.task(task, items, fewshot));
        }

        /** Loads a task file with its items and few-shot items. */
        public static TaskInput load(Path taskFile) {
            Task t = TaskLoader.load(taskFile);
            return of(t, TaskLoader.items(t), TaskLoader.fewshotItems(t));
        }
    }

    /** A model's answer to every item of a task, in the task's order; {@code cacheHit} when read from the cache. */
    public record Answers(LinkedHashMap<String, Boolean> answers, boolean cacheHit) {}

    /**
     * A model folder's 0/1 answer to every item of {@code task}: from the response cache (keyed by the fingerprints of
     * the folder and the task), else evaluated on {@code device} and cached.
     */
    public static Answers answers(Path model, Task task, String device, ResponseCache cache, Consumer<String> log) {
        List<Item> items = TaskLoader.items(task);
        List<Item> fewshot = TaskLoader.fewshotItems(task);
        return answers(
                model,
                TaskInput.of(task, items, fewshot),
                new TaskEvaluator(task, items, fewshot, device, () -> {}),
                cache,
                log);
    }

    /** One model's answers to every item: from the cache, else evaluated once and cached. */
    public static Answers answers(
            Path model, TaskInput task, ModelEvaluator evaluator, ResponseCache cache, Consumer<String> log) {
        return answers(model, Fingerprint.model(model), model.getFileName().toString(), task, evaluator, cache, log);
    }

    private static Answers answers(
            Path m,
            String fingerprint,
            String name,
            TaskInput task,
            ModelEvaluator evaluator,
            ResponseCache cache,
            Consumer<String> log) {
        long s0 = System.nanoTime();
        LinkedHashMap<String, Boolean> r =
                cache.get(fingerprint, task.fingerprint(), task.itemIds()).orElse(null);
        if (r != null) {
            return new Answers(r, true);
        }
        log.accept("evaluating " + name + " on " + task.itemIds().size() + " items of " + task.name());
        Map<String, Boolean> raw = evaluator.evaluate(m);
        r = ResponseCache.ordered(raw, task.itemIds(), "results of model " + m);
        cache.put(
                fingerprint,
                task.fingerprint(),
                m.toAbsolutePath().toString(),
                task.name(),
                (System.nanoTime() - s0) / 1e9,
                r);
        return new Answers(r, false);
    }

    /**
     * Runs the stage.
     *
     * @param models parent model folders (at least one; distinct fingerprints)
     * @param reference extra models' responses on the same items for the IRT fit (may be null)
     * @param log progress and cache warnings
     */
    public static ExtractResult run(
            List<Path> models,
            TaskInput task,
            ModelEvaluator evaluator,
            ResponseCache cache,
            Settings settings,
            ResponseMatrix reference,
            Consumer<String> log) {
        long t0 = System.nanoTime();
        if (models.isEmpty()) {
            throw new EstimateException("extract needs at least one model");
        }
        int total = task.itemIds().size();
        if (settings.n() > total) {
            throw new EstimateException(
                    "cannot select " + settings.n() + " of the " + total + " items of task " + task.name());
        }
        List<String> names = modelNames(models);
        List<String> fps = new ArrayList<>();
        Map<String, Path> byFp = new HashMap<>();
        for (Path m : models) {
            String fp = Fingerprint.model(m);
            Path prev = byFp.putIfAbsent(fp, m);
            if (prev != null) {
                throw new EstimateException("models " + prev + " and " + m + " are the same model (fingerprint "
                        + fp.substring(0, 12) + ")");
            }
            fps.add(fp);
        }
        ResponseMatrix ref = reference == null ? null : alignReference(reference, task, names);
        int rows = models.size() + (ref == null ? 0 : ref.models());
        if (settings.needsIrt() && rows < 2) {
            throw new EstimateException(
                    "estimator '" + settings.estimator() + "' with selector '" + settings.selector()
                            + "' needs an IRT model, which needs at least 2 models (give more --model or a --reference matrix)");
        }

        // 1. evaluate (or read) every parent
        List<ExtractResult.ModelInfo> infos = new ArrayList<>();
        List<String> allNames = new ArrayList<>(names);
        int[][] y = new int[rows][];
        int evaluated = 0;
        int hits = 0;
        double evalSeconds = 0;
        for (int i = 0; i < models.size(); i++) {
            Path m = models.get(i);
            long s0 = System.nanoTime();
            Answers answers = answers(m, fps.get(i), names.get(i), task, evaluator, cache, log);
            LinkedHashMap<String, Boolean> r = answers.answers();
            boolean hit = answers.cacheHit();
            if (!hit) {
                evaluated += total;
            } else {
                hits++;
            }
            double sec = (System.nanoTime() - s0) / 1e9;
            evalSeconds += sec;
            y[i] = new int[total];
            int k = 0;
            int correct = 0;
            for (boolean v : r.values()) {
                y[i][k++] = v ? 1 : 0;
                correct += v ? 1 : 0;
            }
            infos.add(new ExtractResult.ModelInfo(
                    names.get(i),
                    m.toAbsolutePath().toString(),
                    fps.get(i),
                    (double) correct / total,
                    hit,
                    hit ? 0 : total,
                    sec,
                    null));
            log.accept(String.format(
                    Locale.ROOT,
                    "%s: accuracy %.4f (%s, %.2f s)",
                    names.get(i),
                    (double) correct / total,
                    hit ? "cache hit" : total + " items evaluated",
                    sec));
        }
        if (ref != null) {
            for (int i = 0; i < ref.models(); i++) {
                allNames.add(ref.model(i));
                y[models.size() + i] = new int[total];
                for (int j = 0; j < total; j++) {
                    y[models.size() + i][j] = ref.get(i, j);
                }
            }
        }
        ResponseMatrix matrix = ResponseMatrix.of(allNames, task.itemIds(), y);

        // 2. IRT, calibration, subset
        long f0 = System.nanoTime();
        IrtModel irt = rows >= 2 ? IrtModel.fit(matrix, settings.irt()) : null;
        Calibration cal = rows >= 3 ? Calibration.compute(matrix, settings.irt()) : null;
        Selection sel = new ItemSelector(matrix, irt, settings.kmeansRestarts())
                .select(settings.selector(), settings.n(), settings.seed());
        double fitSeconds = (System.nanoTime() - f0) / 1e9;
        int zero = 0;
        for (double w : sel.weights()) {
            zero += w == 0 ? 1 : 0;
        }
        if (zero > 0) {
            log.accept("warning: " + zero + " of the " + settings.n() + " selected items have weight 0 ("
                    + settings.selector() + " selection over " + rows + " models found fewer than " + settings.n()
                    + " distinct groups of items); give more models (--reference) or another selector");
        }
        for (int i = 0; i < infos.size(); i++) {
            ExtractResult.ModelInfo mi = infos.get(i);
            infos.set(
                    i,
                    new ExtractResult.ModelInfo(
                            mi.name(),
                            mi.path(),
                            mi.fingerprint(),
                            mi.accuracy(),
                            mi.cacheHit(),
                            mi.itemsEvaluated(),
                            mi.seconds(),
                            irt == null ? null : irt.referenceTheta(i)));
        }
        ExtractResult.Irt irtParams = null;
        if (irt != null) {
            double[][] a = new double[total][];
            double[] b = new double[total];
            for (int j = 0; j < total; j++) {
                a[j] = irt.a(j);
                b[j] = irt.b(j);
            }
            double[][] th = new double[rows][];
            for (int i = 0; i < rows; i++) {
                th[i] = irt.referenceTheta(i);
            }
            irtParams = new ExtractResult.Irt(a, b, th, irt.iterations(), irt.logPosterior());
        }
        List<String> subsetIds = new ArrayList<>();
        for (int j : sel.items()) {
            subsetIds.add(task.itemIds().get(j));
        }
        ExtractResult.Subset subset = new ExtractResult.Subset(sel.kind(), subsetIds, sel.items(), sel.weights());
        double wall = (System.nanoTime() - t0) / 1e9;
        ExtractResult.Cost cost =
                new ExtractResult.Cost(evaluated, hits, models.size() - hits, evalSeconds, fitSeconds, wall);
        ExtractResult.Reference refInfo =
                ref == null ? null : new ExtractResult.Reference(ref.modelNames(), matrixFingerprint(ref));
        return new ExtractResult(
                ExtractResult.FORMAT,
                new ExtractResult.TaskInfo(task.name(), task.fingerprint(), task.itemIds()),
                settings,
                infos,
                refInfo,
                irtParams,
                cal,
                subset,
                cost);
    }

    /**
     * Reads {@code out} if it exists and was made from the same task, models, reference and settings; otherwise (or
     * when {@code force}) runs the stage and writes {@code out} atomically.
     *
     * @throws EstimateException when {@code out} exists but was made from other inputs and {@code force} is false
     */
    public static ExtractResult loadOrRun(
            Path out,
            boolean force,
            List<Path> models,
            TaskInput task,
            ModelEvaluator evaluator,
            ResponseCache cache,
            Settings settings,
            ResponseMatrix reference,
            Consumer<String> log) {
        if (!force && Files.exists(out)) {
            ExtractResult stored = ExtractResult.read(out);
            String diff = difference(stored, models, task, settings, reference);
            if (diff != null) {
                throw new EstimateException(
                        out + " was extracted from other inputs (" + diff + "); delete it or force a new extract");
            }
            log.accept("reusing " + out + " (same task, models and settings)");
            return stored;
        }
        ExtractResult r = run(models, task, evaluator, cache, settings, reference, log);
        r.write(out);
        return r;
    }

    /** What differs between a stored result and the given inputs, or null if nothing does. */
    static String difference(
            ExtractResult stored, List<Path> models, TaskInput task, Settings settings, ResponseMatrix reference) {
        if (!stored.task().fingerprint().equals(task.fingerprint())) {
            return "task " + task.name() + " changed";
        }
        if (!stored.settings().equals(settings)) {
            return "settings " + stored.settings() + " vs " + settings;
        }
        List<String> fps = models.stream().map(Fingerprint::model).toList();
        List<String> storedFps = stored.models().stream()
                .map(ExtractResult.ModelInfo::fingerprint)
                .toList();
        if (!fps.equals(storedFps)) {
            return "models differ";
        }
        String refFp =
                reference == null ? null : matrixFingerprint(alignReference(reference, task, modelNames(models)));
        String storedRef =
                stored.reference() == null ? null : stored.reference().fingerprint();
        if (!Objects.equals(refFp, storedRef)) {
            return "reference responses differ";
        }
        return null;
    }

    /** Folder names, or absolute paths where two folders share a name. */
    static List<String> modelNames(List<Path> models) {
        Map<String, Integer> count = new HashMap<>();
        for (Path m : models) {
            count.merge(String.valueOf(m.toAbsolutePath().normalize().getFileName()), 1, Integer::sum);
        }
        List<String> out = new ArrayList<>();
        for (Path m : models) {
            String n = String.valueOf(m.toAbsolutePath().normalize().getFileName());
            out.add(count.get(n) > 1 ? m.toAbsolutePath().normalize().toString() : n);
        }
        return out;
    }

    /** The reference matrix with its columns in the task's item order; errors on other item sets or name clashes. */
    static ResponseMatrix alignReference(ResponseMatrix reference, TaskInput task, List<String> parentNames) {
        Map<String, Integer> col = new HashMap<>();
        for (int j = 0; j < reference.items(); j++) {
            col.put(reference.item(j), j);
        }
        List<String> missing = new ArrayList<>();
        for (String id : task.itemIds()) {
            if (!col.containsKey(id)) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty() || reference.items() != task.itemIds().size()) {
            throw new EstimateException("reference responses have " + reference.items() + " items, task "
                    + task.name() + " has " + task.itemIds().size()
                    + (missing.isEmpty() ? "" : "; missing e.g. '" + missing.get(0) + "'"));
        }
        for (String n : parentNames) {
            if (reference.modelIndex(n) >= 0) {
                throw new EstimateException("reference model '" + n + "' has the name of a --model folder");
            }
        }
        int[][] v = new int[reference.models()][task.itemIds().size()];
        for (int i = 0; i < reference.models(); i++) {
            for (int j = 0; j < v[i].length; j++) {
                v[i][j] = reference.get(i, col.get(task.itemIds().get(j)));
            }
        }
        return ResponseMatrix.of(reference.modelNames(), task.itemIds(), v);
    }

    static String matrixFingerprint(ResponseMatrix m) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < m.models(); i++) {
                md.update((m.model(i) + "\0").getBytes(StandardCharsets.UTF_8));
                for (int j = 0; j < m.items(); j++) {
                    md.update((m.item(j) + "\0" + m.get(i, j) + "\0").getBytes(StandardCharsets.UTF_8));
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
