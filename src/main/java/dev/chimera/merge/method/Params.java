package dev.chimera.merge.method;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Resolved parameter values for one tensor (global) or one input of one tensor (per model). */
public final class Params {
    private final Map<String, Object> values;
    private final String where;

    public Params(Map<String, Object> values, String where) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.where = where;
    }

    public static Params of(Map<String, Object> values) {
        return new Params(values, "");
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public boolean has(String name) {
        return values.get(name) != null;
    }

    public Object raw(String name) {
        return values.get(name);
    }

    public double number(String name) {
        Object v = values.get(name);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new MergeException("parameter '" + name + "'" + where + " must be a number, got "
                + (v == null ? "nothing" : "'" + v + "'"));
    }

    public Double numberOrNull(String name) {
        return values.get(name) == null ? null : number(name);
    }

    public boolean bool(String name) {
        Object v = values.get(name);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0; // Python truthiness, as mergekit reads it
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw new MergeException("parameter '" + name + "'" + where + " must be true or false, got "
                + (v == null ? "nothing" : "'" + v + "'"));
    }

    public String where() {
        return where;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
