package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON encoding of optimizer snapshots, shared by every optimizer. Finite doubles are written as JSON numbers
 * (Jackson prints the shortest decimal that parses back to the same double, so restore is bit-exact); NaN and
 * infinities, which JSON numbers cannot hold, are written as the strings Double.toString gives for them. Readers
 * throw SearchException on a missing field or a value of the wrong kind.
 */
final class SnapshotJson {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private SnapshotJson() {}

    static JsonNode number(double v) {
        return Double.isFinite(v) ? DoubleNode.valueOf(v) : TextNode.valueOf(Double.toString(v));
    }

    static double number(JsonNode node) {
        if (node.isTextual()) {
            return Double.parseDouble(node.asText());
        }
        if (!node.isNumber()) {
            throw new SearchException("snapshot: expected a number, got " + node);
        }
        return node.doubleValue();
    }

    static ArrayNode doubles(double[] v) {
        ArrayNode a = F.arrayNode(v.length);
        for (double d : v) {
            a.add(number(d));
        }
        return a;
    }

    static double[] doubles(JsonNode a) {
        if (a == null || !a.isArray()) {
            throw new SearchException("snapshot: expected an array of numbers, got " + a);
        }
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = number(a.get(i));
        }
        return v;
    }

    /** An array of exactly {@code length} numbers. */
    static double[] doubles(JsonNode a, int length) {
        double[] v = doubles(a);
        if (v.length != length) {
            throw new SearchException("snapshot: " + v.length + " numbers where " + length + " belong");
        }
        return v;
    }

    static ArrayNode matrix(double[][] m) {
        ArrayNode a = F.arrayNode(m.length);
        for (double[] row : m) {
            a.add(doubles(row));
        }
        return a;
    }

    /** A rows x columns matrix. */
    static double[][] matrix(JsonNode a, int rows, int columns) {
        if (a == null || !a.isArray() || a.size() != rows) {
            throw new SearchException("snapshot: expected " + rows + " rows, got " + a);
        }
        double[][] m = new double[rows][];
        for (int i = 0; i < rows; i++) {
            m[i] = doubles(a.get(i), columns);
        }
        return m;
    }

    static ObjectNode bounds(Bounds b) {
        ObjectNode o = F.objectNode();
        o.set("lower", doubles(b.lower()));
        o.set("upper", doubles(b.upper()));
        return o;
    }

    static Bounds bounds(JsonNode o) {
        return new Bounds(doubles(required(o, "lower")), doubles(required(o, "upper")));
    }

    static ArrayNode rng(Rng r) {
        ArrayNode a = F.arrayNode(3);
        for (long s : r.state()) {
            a.add(s);
        }
        return a;
    }

    static Rng rng(JsonNode a) {
        if (a == null || !a.isArray() || a.size() != 3) {
            throw new SearchException("snapshot: \"rng\" must hold 3 longs, got " + a);
        }
        return Rng.restore(
                new long[] {a.get(0).asLong(), a.get(1).asLong(), a.get(2).asLong()});
    }

    /**
     * Settings written by an optimizer (every key resolved) as the Config its constructor reads, so create and
     * restore go through the same parsing and checks. HOCON is a superset of JSON; numbers round-trip exactly.
     */
    static Config settings(JsonNode o) {
        if (o == null || !o.isObject()) {
            throw new SearchException("snapshot: \"settings\" must be an object, got " + o);
        }
        return ConfigFactory.parseString(o.toString());
    }

    /** A candidate, with its objectives when told ({@code null}: not yet). */
    static ObjectNode candidate(Candidate c, double[] objectives) {
        ObjectNode o = F.objectNode();
        o.put("id", c.id());
        o.set("genes", doubles(c.genes()));
        if (objectives != null) {
            o.set("objectives", doubles(objectives));
        }
        return o;
    }

    static Candidate candidate(JsonNode o) {
        return new Candidate(required(o, "id").asLong(), doubles(required(o, "genes")));
    }

    /** A candidate with exactly {@code dimension} genes. */
    static Candidate candidate(JsonNode o, int dimension) {
        return new Candidate(required(o, "id").asLong(), doubles(required(o, "genes"), dimension));
    }

    /** Objectives of a stored candidate, or null if it was not told. */
    static double[] objectives(JsonNode o) {
        return o.hasNonNull("objectives") ? doubles(o.get("objectives")) : null;
    }

    static ObjectNode evaluation(Evaluation e) {
        return candidate(e.candidate(), e.objectives());
    }

    static Evaluation evaluation(JsonNode o) {
        return new Evaluation(candidate(o), doubles(required(o, "objectives")));
    }

    static ArrayNode evaluations(Iterable<Evaluation> es) {
        ArrayNode a = F.arrayNode();
        for (Evaluation e : es) {
            a.add(evaluation(e));
        }
        return a;
    }

    static List<Evaluation> evaluations(JsonNode a) {
        List<Evaluation> out = new ArrayList<>();
        for (JsonNode o : a) {
            out.add(evaluation(o));
        }
        return out;
    }

    /** Rejects a snapshot of another algorithm or layout version. */
    static void requireAlgorithm(ObjectNode s, String name, int version) {
        if (s == null
                || !name.equals(s.path("algorithm").asText())
                || s.path("version").asInt() != version) {
            throw new SearchException("not a " + name + " version " + version + " snapshot: algorithm "
                    + (s == null ? null : s.path("algorithm") + ", version " + s.path("version")));
        }
    }

    static JsonNode required(JsonNode s, String field) {
        JsonNode n = s.get(field);
        if (n == null || n.isNull()) {
            throw new SearchException("snapshot lacks \"" + field + "\"");
        }
        return n;
    }
}
