package dev.chimera.engine.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * A journal event as the dashboard shows it: one small JSON object with its sequence number (its line in the
 * journal), the per-item answers reduced to their count. The same view for the journal's replay and for live events.
 */
public final class RunEventView {
    private RunEventView() {}

    public static String json(RunEvent e, long seq) {
        ObjectNode o = Journal.JSON.createObjectNode();
        o.put("seq", seq);
        o.put("time", e.time());
        if (e instanceof RunEvent.Started s) {
            o.put("type", "started").put("node", s.node()).put("resumed", s.resumed());
        } else if (e instanceof RunEvent.Evaluated v) {
            o.put("type", "evaluated").put("id", v.id());
            numbers(o, "genes", v.genes());
            numbers(o, "objectives", v.objectives());
            o.put("worker", v.worker())
                    .put("mergeMillis", v.mergeMillis())
                    .put("evalMillis", v.evalMillis())
                    .put("items", count(v.items()))
                    .put("rung", v.rung());
        } else if (e instanceof RunEvent.Refined r) {
            o.put("type", "refined")
                    .put("id", r.id())
                    .put("rung", r.rung())
                    .put("worker", r.worker())
                    .put("mergeMillis", r.mergeMillis())
                    .put("evalMillis", r.evalMillis())
                    .put("items", count(r.items()));
        } else if (e instanceof RunEvent.Scored sc) {
            o.put("type", "scored").put("id", sc.id()).put("rung", sc.rung());
            numbers(o, "objectives", sc.objectives());
        } else if (e instanceof RunEvent.Fitted f) {
            o.put("type", "fitted")
                    .put("cohort", f.cohort())
                    .put("references", f.references().size());
        } else if (e instanceof RunEvent.ModelAnswered m) {
            o.put("type", "model")
                    .put("model", m.model())
                    .put("worker", m.worker())
                    .put("evalMillis", m.evalMillis())
                    .put("items", count(m.items()));
        } else if (e instanceof RunEvent.GenerationDone g) {
            o.put("type", "generation").put("generation", g.generation()).put("evaluations", g.evaluations());
            numbers(o, "best", g.best());
        } else if (e instanceof RunEvent.Control c) {
            o.put("type", "control").put("action", c.action().name());
        } else if (e instanceof RunEvent.Finished f) {
            o.put("type", "finished").put("reason", f.reason()).put("failed", f.failed());
        }
        return o.toString();
    }

    private static void numbers(ObjectNode o, String key, double[] values) {
        var a = o.putArray(key);
        for (double v : values) {
            if (Double.isFinite(v)) {
                a.add(v);
            } else {
                a.addNull(); // JSON has no NaN
            }
        }
    }

    private static int count(Map<String, Map<String, Integer>> items) {
        return items == null ? 0 : items.values().stream().mapToInt(Map::size).sum();
    }
}
