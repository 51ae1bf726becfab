package dev.chimera.merge;

import dev.chimera.merge.method.MergeException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * A parameter value as mergekit's YAML allows it: a scalar, a gradient list of numbers interpolated across a
 * slice's layers, or a list of {filter, value} entries where the first filter found in the tensor name wins.
 * Semantics follow mergekit's {@code config.evaluate_setting}.
 */
public sealed interface Setting permits Setting.Scalar, Setting.Gradient, Setting.Conditional {

    /** The value for a tensor at relative position t in its slice, or null when no filter matches. */
    Object evaluate(String tensorName, double t);

    /** The plain YAML-ish value (Double, Boolean, String, List, Map) used when exporting configs. */
    Object toPlain();

    static Setting of(Object v) {
        return new Scalar(v);
    }

    static Setting gradient(List<Double> values) {
        return new Gradient(List.copyOf(values));
    }

    /** A number, boolean or string. */
    record Scalar(Object value) implements Setting {
        public Scalar {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public Object evaluate(String tensorName, double t) {
            return value;
        }

        @Override
        public Object toPlain() {
            return value;
        }
    }

    /** A list of numbers: piecewise-linear interpolation at t, or (non-numeric list) a step lookup. */
    record Gradient(List<?> values) implements Setting {
        public Gradient {
            if (values.isEmpty()) {
                throw new MergeException("a gradient list must not be empty");
            }
            values = List.copyOf(values);
        }

        @Override
        public Object evaluate(String tensorName, double t) {
            int n = values.size();
            boolean numeric = values.stream().allMatch(v -> v instanceof Number);
            double scaled = t * (n - 1);
            int i0 = (int) scaled;
            if (!numeric) {
                return values.get(i0);
            }
            int i1 = Math.min(n - 1, i0 + 1);
            double frac = scaled - i0;
            double v0 = ((Number) values.get(i0)).doubleValue();
            double v1 = ((Number) values.get(i1)).doubleValue();
            return (1 - frac) * v0 + frac * v1;
        }

        @Override
        public Object toPlain() {
            return values;
        }
    }

    /** One {filter, value} entry; a null or "*" filter matches every tensor. */
    record Filtered(String filter, Setting value) {
        boolean matches(String tensorName) {
            return filter == null || filter.equals("*") || (tensorName != null && tensorName.contains(filter));
        }
    }

    /** A list of filtered entries; the first whose filter is a substring of the tensor name decides. */
    record Conditional(List<Filtered> entries) implements Setting {
        public Conditional {
            entries = List.copyOf(entries);
        }

        @Override
        public Object evaluate(String tensorName, double t) {
            for (Filtered f : entries) {
                if (f.matches(tensorName)) {
                    return f.value().evaluate(tensorName, t);
                }
            }
            return null;
        }

        @Override
        public Object toPlain() {
            return entries.stream()
                    .map(f -> {
                        var m = new LinkedHashMap<String, Object>();
                        if (f.filter() != null) {
                            m.put("filter", f.filter());
                        }
                        m.put("value", f.value().toPlain());
                        return m;
                    })
                    .toList();
        }
    }
}
