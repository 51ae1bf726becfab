package dev.chimera.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chimera.tensor.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code --log-samples}: one JSON object per item and line ({@code task}, {@code id}, {@code correct}, then
 * {@code loglik}, {@code pred}, {@code pred_norm}, {@code gold} for multiple choice or {@code output},
 * {@code extracted}, {@code expected}, {@code number_correct}, {@code language}, {@code language_checked} for
 * generation, or {@code output}, {@code filtered}, {@code target} for lm-eval generation tasks), written to a temp file beside the target and renamed over it, so a reader never sees half a file.
 */
public final class SampleLogWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SampleLogWriter() {}

    public static void write(Path file, TaskResult result) {
        StringBuilder out = new StringBuilder();
        try {
            for (ItemResult r : result.items()) {
                out.append(JSON.writeValueAsString(line(result.task(), r))).append('\n');
            }
            AtomicFiles.writeString(file, out.toString());
        } catch (IOException | UncheckedIOException e) {
            throw new EvalException("cannot write sample log " + file + ": " + e.getMessage(), e);
        }
    }

    static ObjectNode line(String task, ItemResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("task", task);
        o.put("id", r.id());
        o.put("correct", r.correct());
        if (r.loglik() != null) {
            ArrayNode ll = o.putArray("loglik");
            for (double d : r.loglik()) {
                ll.add(d);
            }
            o.put("pred", r.pred());
            o.put("pred_norm", r.predNorm());
            o.put("gold", r.gold());
        } else if (r.target() != null) {
            o.put("output", r.output());
            o.put("filtered", r.filtered());
            o.put("target", r.target());
        } else {
            o.put("output", r.output());
            if (r.extracted() == null) {
                o.putNull("extracted");
            } else {
                o.put("extracted", r.extracted());
            }
            o.put("expected", r.expected());
            o.put("number_correct", r.numberCorrect());
            o.put("language", r.language());
            o.put("language_checked", r.languageChecked());
        }
        return o;
    }
}
