package dev.chimera.estimate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of {@link Extract}, stored as JSON in a run folder: the task (fingerprint, all item ids), the
 * settings, each parent (fingerprint, accuracy on all items, IRT ability theta, cost), the reference models if any,
 * the IRT parameters of every item, the gp-IRT calibration, the chosen subset (item ids, indices, weights) and the
 * cost. {@link #estimator()} estimates a new candidate's accuracy from its answers on the subset.
 *
 * @param reference null without reference models
 * @param irt null when fewer than 2 models were available (then only mean / weighted / irt estimators work)
 * @param calibration null when fewer than 3 models were available (gp-IRT then mixes 0.5 / 0.5)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ExtractResult(
        String format,
        TaskInfo task,
        Extract.Settings settings,
        List<ModelInfo> models,
        Reference reference,
        Irt irt,
        Calibration calibration,
        Subset subset,
        Cost cost) {
    public static final String FORMAT = "chimera-extract/1";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    /** @param itemIds every item id of the task, in order (IRT item j is itemIds[j]) */
    public record TaskInfo(String name, String fingerprint, List<String> itemIds) {}

    /**
     * One parent model.
     *
     * @param accuracy fraction of all items answered correctly
     * @param itemsEvaluated items run through the model by this extract (0 on a cache hit)
     * @param seconds evaluation (or cache read) time
     * @param theta IRT ability (null without IRT)
     */
    public record ModelInfo(
            String name,
            String path,
            String fingerprint,
            double accuracy,
            boolean cacheHit,
            int itemsEvaluated,
            double seconds,
            double[] theta) {}

    /** Reference models whose responses joined the IRT fit; {@code fingerprint} covers their names and answers. */
    public record Reference(List<String> models, String fingerprint) {}

    /**
     * IRT parameters: P(item j | theta) = sigmoid(a[j] . theta - b[j]); {@code thetas} are the abilities of the fitted
     * rows (parents, then reference models).
     */
    public record Irt(double[][] a, double[] b, double[][] thetas, int iterations, double logPosterior) {}

    /** The chosen items: ids, their indices into the task's items, and weights (sum 1). */
    public record Subset(String kind, List<String> itemIds, int[] indices, double[] weights) {}

    /**
     * @param itemsEvaluated items run through models in total
     * @param cacheHits models read from the cache
     * @param cacheMisses models evaluated
     * @param evaluationSeconds evaluation and cache reads
     * @param fitSeconds IRT fit, calibration and selection
     * @param wallSeconds the whole stage
     */
    public record Cost(
            int itemsEvaluated,
            int cacheHits,
            int cacheMisses,
            double evaluationSeconds,
            double fitSeconds,
            double wallSeconds) {}

    /** The parents' IRT abilities, in model order (for mp-IRT). */
    public double[][] parentThetas() {
        if (irt == null) {
            return null;
        }
        double[][] t = new double[models.size()][];
        for (int i = 0; i < t.length; i++) {
            t[i] = irt.thetas()[i].clone();
        }
        return t;
    }

    /** The IRT model (null without IRT parameters). */
    public IrtModel irtModel() {
        return irt == null ? null : IrtModel.of(irt.a(), irt.b(), irt.thetas());
    }

    /** The subset as a {@link Selection}. */
    public Selection selection() {
        return new Selection(subset.kind(), subset.indices(), subset.weights());
    }

    /** An estimator of a candidate's full-task accuracy from its answers on the subset (settings' method). */
    public SubsetEstimator estimator() {
        return estimator(AccuracyEstimator.Options.defaults());
    }

    public SubsetEstimator estimator(AccuracyEstimator.Options options) {
        AccuracyEstimator e = new AccuracyEstimator(
                irtModel(), selection(), calibration, options, task.itemIds().size());
        return new SubsetEstimator(e, subset.itemIds(), settings.estimator(), parentThetas());
    }

    /** Writes the JSON form atomically (temp file + rename). */
    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ResponseCache.writeAtomically(file, JSON.writeValueAsBytes(this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses the JSON form (as {@link #toJson} writes it), e.g. sent to a worker with a run's setup. */
    public static ExtractResult parse(String json) {
        try {
            return JSON.readValue(json, ExtractResult.class);
        } catch (JsonProcessingException e) {
            throw new EstimateException("not a valid extract result: " + e.getOriginalMessage());
        }
    }

    /** Reads and checks a stored result; errors name the file and the problem. */
    public static ExtractResult read(Path file) {
        ExtractResult r;
        try {
            r = JSON.readValue(file.toFile(), ExtractResult.class);
        } catch (NoSuchFileException e) {
            throw new EstimateException(file + ": file not found");
        } catch (JsonProcessingException e) {
            Throwable c = e.getCause();
            String msg = c instanceof EstimateException ? c.getMessage() : e.getOriginalMessage();
            throw new EstimateException(file + ": not a valid extract result: " + msg);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new EstimateException(file + ": file not found");
            }
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            r.check();
        } catch (EstimateException e) {
            throw new EstimateException(file + ": not a valid extract result: " + e.getMessage());
        }
        return r;
    }

    /** Consistency of a deserialised value. */
    void check() {
        if (!FORMAT.equals(format)) {
            throw new EstimateException("format is '" + format + "', expected '" + FORMAT + "'");
        }
        need(task, "task");
        need(task.itemIds(), "task.itemIds");
        need(settings, "settings");
        need(models, "models");
        need(subset, "subset");
        need(cost, "cost");
        int total = task.itemIds().size();
        if (total == 0 || models.isEmpty()) {
            throw new EstimateException("no items or no models");
        }
        need(subset.itemIds(), "subset.itemIds");
        need(subset.indices(), "subset.indices");
        need(subset.weights(), "subset.weights");
        int n = subset.indices().length;
        if (subset.itemIds().size() != n || subset.weights().length != n) {
            throw new EstimateException("subset has " + subset.itemIds().size() + " ids, " + n + " indices, "
                    + subset.weights().length + " weights");
        }
        for (int k = 0; k < n; k++) {
            int j = subset.indices()[k];
            if (j < 0
                    || j >= total
                    || !task.itemIds().get(j).equals(subset.itemIds().get(k))) {
                throw new EstimateException("subset item " + k + " (index " + j + ", id '"
                        + subset.itemIds().get(k) + "') does not match the task's items");
            }
        }
        if (irt != null) {
            need(irt.a(), "irt.a");
            need(irt.b(), "irt.b");
            need(irt.thetas(), "irt.thetas");
            if (irt.a().length != total || irt.b().length != total) {
                throw new EstimateException(
                        "irt has " + irt.a().length + " a and " + irt.b().length + " b for " + total + " items");
            }
            int rows =
                    models.size() + (reference == null ? 0 : reference.models().size());
            if (irt.thetas().length != rows) {
                throw new EstimateException("irt has " + irt.thetas().length + " thetas for " + rows + " models");
            }
            int d = irt.a()[0].length;
            for (double[] aj : irt.a()) {
                finite(aj, d, "irt.a");
            }
            finite(irt.b(), total, "irt.b");
            for (double[] t : irt.thetas()) {
                finite(t, d, "irt.thetas");
            }
        } else if (settings.needsIrt()) {
            throw new EstimateException("estimator '" + settings.estimator() + "' needs irt parameters, none stored");
        }
    }

    private static void need(Object o, String what) {
        if (o == null) {
            throw new EstimateException("missing '" + what + "'");
        }
    }

    private static void finite(double[] v, int len, String what) {
        if (v == null || v.length != len) {
            throw new EstimateException(what + ": expected " + len + " values");
        }
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw new EstimateException(what + ": value " + x + " is not finite");
            }
        }
    }
}
