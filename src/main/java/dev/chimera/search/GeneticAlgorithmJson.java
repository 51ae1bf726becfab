package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Snapshot encoding shared by {@link GeneticAlgorithm} and {@link Nsga2}. Finite doubles are written as JSON numbers
 * (Jackson prints the shortest decimal that parses back to the same double, so restore is bit-exact); NaN and
 * infinities, which JSON numbers cannot hold, are written as the strings Double.toString gives for them.
 */
final class GeneticAlgorithmJson {
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    private GeneticAlgorithmJson() {
    }

    static ArrayNode doubles(double[] v) {
        ArrayNode a = F.arrayNode(v.length);
        for (double d : v) {
            if (Double.isFinite(d)) {
                a.add(d);
            } else {
                a.add(Double.toString(d));
            }
        }
        return a;
    }

    static double[] doubles(JsonNode a) {
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException("snapshot: expected an array of numbers, got " + a);
        }
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode n = a.get(i);
            v[i] = n.isNumber() ? n.doubleValue() : Double.parseDouble(n.asText());
        }
        return v;
    }

    static ObjectNode bounds(Bounds b) {
        ObjectNode o = F.objectNode();
        o.set("lower", doubles(b.lower()));
        o.set("upper", doubles(b.upper()));
        return o;
    }

    static Bounds bounds(JsonNode o) {
        return new Bounds(doubles(o.get("lower")), doubles(o.get("upper")));
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
            throw new IllegalArgumentException("snapshot: \"rng\" must hold 3 longs, got " + a);
        }
        return Rng.restore(new long[] {a.get(0).asLong(), a.get(1).asLong(), a.get(2).asLong()});
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
        return new Candidate(o.get("id").asLong(), doubles(o.get("genes")));
    }

    /** Objectives of a stored candidate, or null if it was not told. */
    static double[] objectives(JsonNode o) {
        return o.hasNonNull("objectives") ? doubles(o.get("objectives")) : null;
    }

    static ObjectNode evaluation(Evaluation e) {
        return candidate(e.candidate(), e.objectives());
    }

    static Evaluation evaluation(JsonNode o) {
        return new Evaluation(candidate(o), doubles(o.get("objectives")));
    }

    static ArrayNode evaluations(Iterable<Evaluation> es) {
        ArrayNode a = F.arrayNode();
        for (Evaluation e : es) {
            a.add(evaluation(e));
        }
        return a;
    }

    static java.util.List<Evaluation> evaluations(JsonNode a) {
        java.util.List<Evaluation> out = new java.util.ArrayList<>();
        if (a != null) {
            for (JsonNode o : a) {
                out.add(evaluation(o));
            }
        }
        return out;
    }

    static void requireAlgorithm(ObjectNode s, String name) {
        if (s == null || !name.equals(s.path("algorithm").asText())) {
            throw new IllegalArgumentException("not a " + name + " snapshot: algorithm = "
                + (s == null ? null : s.path("algorithm").asText()));
        }
    }

    static JsonNode required(JsonNode s, String field) {
        JsonNode n = s.get(field);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("snapshot lacks \"" + field + "\"");
        }
        return n;
    }
}
