package dev.chimera.jinja;

import java.util.List;
import java.util.Map;

/** Python's {@code json.dumps} for template values (the tojson filters of Jinja2 and transformers). */
final class Json {
    private Json() {}

    /**
     * @param indent null for one line
     * @param itemSep null for Python's default (", " on one line, "," when indenting)
     * @param keySep null for ": "
     */
    static String dumps(
            Object v, Integer indent, boolean sortKeys, boolean ensureAscii, String itemSep, String keySep) {
        StringBuilder b = new StringBuilder();
        String items = itemSep != null ? itemSep : indent == null ? ", " : ",";
        write(b, v, indent, 0, sortKeys, ensureAscii, items, keySep != null ? keySep : ": ");
        return b.toString();
    }

    /** Jinja2's own tojson: sorted keys, and {@code < > & '} escaped so the output is safe in HTML. */
    static String htmlSafe(Object v, Integer indent) {
        return dumps(v, indent, true, true, null, null)
                .replace("<", "\\u003c")
                .replace(">", "\\u003e")
                .replace("&", "\\u0026")
                .replace("'", "\\u0027");
    }

    private static void write(
            StringBuilder b,
            Object v,
            Integer indent,
            int level,
            boolean sortKeys,
            boolean ascii,
            String itemSep,
            String keySep) {
        if (v instanceof Undefined u) {
            throw new JinjaException("Object of type Undefined is not JSON serializable (" + u.hint + ")");
        }
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean x) {
            b.append(x ? "true" : "false");
        } else if (v instanceof Long x) {
            b.append(x);
        } else if (v instanceof Double d) {
            b.append(
                    Double.isNaN(d)
                            ? "NaN"
                            : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Py.floatRepr(d));
        } else if (v instanceof String s) {
            string(b, s, ascii);
        } else if (v instanceof List<?> || v instanceof PyTuple) {
            List<?> l = v instanceof PyTuple t ? t.items() : (List<?>) v;
            if (l.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(itemSep);
                }
                newline(b, indent, level + 1);
                write(b, l.get(i), indent, level + 1, sortKeys, ascii, itemSep, keySep);
            }
            newline(b, indent, level);
            b.append(']');
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            List<? extends Map.Entry<?, ?>> entries = List.copyOf(m.entrySet());
            if (sortKeys) {
                entries = entries.stream()
                        .sorted((x, y) -> Py.compare(key(x.getKey()), key(y.getKey()), "<"))
                        .toList();
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                if (!first) {
                    b.append(itemSep);
                }
                first = false;
                newline(b, indent, level + 1);
                string(b, key(e.getKey()), ascii);
                b.append(keySep);
                write(b, e.getValue(), indent, level + 1, sortKeys, ascii, itemSep, keySep);
            }
            newline(b, indent, level);
            b.append('}');
        } else if (v instanceof Namespace) {
            throw new JinjaException("Object of type Namespace is not JSON serializable");
        } else {
            throw new JinjaException("Object of type " + Py.typeName(v) + " is not JSON serializable");
        }
    }

    private static String key(Object k) {
        if (k instanceof String s) {
            return s;
        }
        if (k == null || k instanceof Boolean || k instanceof Long || k instanceof Double) {
            return k instanceof Boolean x ? (x ? "true" : "false") : k == null ? "null" : Py.repr(k);
        }
        throw new JinjaException("keys must be str, int, float, bool or None, not " + Py.typeName(k));
    }

    private static void newline(StringBuilder b, Integer indent, int level) {
        if (indent != null) {
            b.append('\n').append(" ".repeat(indent * level));
        }
    }

    private static void string(StringBuilder b, String s, boolean ascii) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || (ascii && c > 0x7e)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
