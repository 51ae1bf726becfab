package dev.chimera.jinja;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Python's semantics for the values a template sees: None (null), bool, int (Long), float (Double), str, list,
 * tuple ({@link PyTuple}), dict (Map), and Jinja's {@link Undefined}. Strings are indexed by code point, as Python's
 * are.
 */
final class Py {
    private Py() {}

    /** A Java value as a template value: ints widen to Long, floats to Double, arrays and JSON trees convert. */
    static Object of(Object v) {
        if (v == null
                || v instanceof String
                || v instanceof Long
                || v instanceof Double
                || v instanceof Boolean
                || v instanceof Undefined
                || v instanceof PyTuple
                || v instanceof Namespace
                || v instanceof PyCallable) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof BigDecimal d) {
            return d.scale() <= 0 ? (Object) d.longValueExact() : (Object) d.doubleValue();
        }
        if (v instanceof java.math.BigInteger b) {
            return b.longValueExact();
        }
        if (v instanceof Character c) {
            return c.toString();
        }
        if (v instanceof JsonNode n) {
            return json(n);
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(of(k), of(x)));
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            c.forEach(x -> out.add(of(x)));
            return out;
        }
        if (v instanceof Object[] a) {
            List<Object> out = new ArrayList<>(a.length);
            for (Object x : a) {
                out.add(of(x));
            }
            return out;
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        throw new JinjaException("cannot pass a " + v.getClass().getName() + " to a template");
    }

    private static Object json(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isArray()) {
            List<Object> out = new ArrayList<>(n.size());
            n.forEach(x -> out.add(json(x)));
            return out;
        }
        Map<Object, Object> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), json(e.getValue())));
        return out;
    }

    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof PyTuple) {
            return "tuple";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof Undefined) {
            return "Undefined";
        }
        if (v instanceof Namespace) {
            return "Namespace";
        }
        return "function";
    }

    // ---------------------------------------------------------------- truth, str, repr

    static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Undefined u) {
            if (u.strict) {
                throw u.fail();
            }
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0.0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof PyTuple t) {
            return !t.items().isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python's {@code str()}. */
    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Undefined u) {
            if (u.strict) {
                throw u.fail();
            }
            return "";
        }
        return repr(v);
    }

    /** Python's {@code repr()}. */
    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Long l) {
            return l.toString();
        }
        if (v instanceof Double d) {
            return floatRepr(d);
        }
        if (v instanceof String s) {
            return stringRepr(s);
        }
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                b.append(i > 0 ? ", " : "").append(repr(l.get(i)));
            }
            return b.append(']').toString();
        }
        if (v instanceof PyTuple t) {
            StringBuilder b = new StringBuilder("(");
            for (int i = 0; i < t.items().size(); i++) {
                b.append(i > 0 ? ", " : "").append(repr(t.items().get(i)));
            }
            return b.append(t.items().size() == 1 ? ",)" : ")").toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(first ? "" : ", ")
                        .append(repr(e.getKey()))
                        .append(": ")
                        .append(repr(e.getValue()));
                first = false;
            }
            return b.append('}').toString();
        }
        if (v instanceof Undefined u) {
            return str(u);
        }
        return v.toString();
    }

    /** Python's float repr: the shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = bd.precision() - bd.scale() - 1;
        if (exp >= -4 && exp < 16) {
            String plain = bd.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = bd.unscaledValue().abs().toString();
        StringBuilder b = new StringBuilder(d < 0 ? "-" : "");
        b.append(digits.charAt(0));
        if (digits.length() > 1) {
            b.append('.').append(digits, 1, digits.length());
        }
        b.append('e').append(exp < 0 ? '-' : '+');
        int a = Math.abs(exp);
        b.append(a < 10 ? "0" : "").append(a);
        return b.toString();
    }

    static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(quote);
        s.codePoints().forEach(c -> {
            if (c == quote || c == '\\') {
                b.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", c));
            } else if (c >= 0x80 && !printable(c)) {
                b.append(
                        c <= 0xff
                                ? String.format("\\x%02x", c)
                                : c <= 0xffff ? String.format("\\u%04x", c) : String.format("\\U%08x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append(quote).toString();
    }

    /** Python's str.isprintable for one non-ASCII code point (not Other or Separator except space). */
    private static boolean printable(int c) {
        int t = Character.getType(c);
        return !(t == Character.CONTROL
                || t == Character.FORMAT
                || t == Character.SURROGATE
                || t == Character.PRIVATE_USE
                || t == Character.UNASSIGNED
                || t == Character.LINE_SEPARATOR
                || t == Character.PARAGRAPH_SEPARATOR
                || t == Character.SPACE_SEPARATOR);
    }

    // ---------------------------------------------------------------- comparison

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static double toDouble(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return ((Number) v).doubleValue();
    }

    static long toLong(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return (Long) v;
    }

    private static boolean integral(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static boolean eq(Object a, Object b) {
        if (a instanceof Undefined u && u.strict) {
            throw u.fail();
        }
        if (b instanceof Undefined u && u.strict) {
            throw u.fail();
        }
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (isNumber(a) && isNumber(b)) {
            return integral(a) && integral(b) ? toLong(a) == toLong(b) : toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            return seqEq(x, y);
        }
        if (a instanceof PyTuple x && b instanceof PyTuple y) {
            return seqEq(x.items(), y.items());
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static boolean seqEq(List<?> x, List<?> y) {
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!eq(x.get(i), y.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Python's ordering; TypeError for values that do not compare. */
    static int compare(Object a, Object b, String op) {
        if (isNumber(a) && isNumber(b)) {
            return integral(a) && integral(b)
                    ? Long.compare(toLong(a), toLong(b))
                    : Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return compareCodePoints(x, y);
        }
        List<?> x = a instanceof PyTuple t ? t.items() : a instanceof List<?> l ? l : null;
        List<?> y = b instanceof PyTuple t ? t.items() : b instanceof List<?> l ? l : null;
        if (x != null && y != null && (a instanceof PyTuple) == (b instanceof PyTuple)) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i), op);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        if (a instanceof Undefined u) {
            throw u.fail();
        }
        if (b instanceof Undefined u) {
            throw u.fail();
        }
        throw new JinjaException(
                "'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    private static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(x.length() - i, y.length() - j);
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            if (!(item instanceof String sub)) {
                throw new JinjaException("'in <string>' requires string as left operand, not " + typeName(item));
            }
            return s.contains(sub);
        }
        if (container instanceof Map<?, ?> m) {
            return m.containsKey(item) || m.keySet().stream().anyMatch(k -> eq(k, item));
        }
        if (container instanceof Undefined u) {
            if (u.strict) {
                throw u.fail();
            }
            return false;
        }
        for (Object o : iterate(container)) {
            if (eq(o, item)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- sequences

    /** The items a for loop visits: list and tuple items, dict keys, string characters. */
    static List<Object> iterate(Object v) {
        if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (v instanceof PyTuple t) {
            return new ArrayList<>(t.items());
        }
        if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        }
        if (v instanceof String s) {
            List<Object> out = new ArrayList<>();
            s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
            return out;
        }
        if (v instanceof Undefined u) {
            if (u.strict) {
                throw u.fail();
            }
            return new ArrayList<>();
        }
        if (v instanceof Iterable<?> it) {
            List<Object> out = new ArrayList<>();
            Iterator<?> i = it.iterator();
            i.forEachRemaining(out::add);
            return out;
        }
        throw new JinjaException("'" + typeName(v) + "' object is not iterable");
    }

    static int len(Object v) {
        if (v instanceof String s) {
            return s.codePointCount(0, s.length());
        }
        if (v instanceof List<?> l) {
            return l.size();
        }
        if (v instanceof PyTuple t) {
            return t.items().size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        if (v instanceof Undefined u) {
            if (u.strict) {
                throw u.fail();
            }
            return 0;
        }
        throw new JinjaException("object of type '" + typeName(v) + "' has no len()");
    }

    /** A Python slice; null parts take their defaults. */
    record Slice(Long start, Long stop, Long step) {
        /** The indexes this slice selects from a sequence of length n. */
        List<Integer> indexes(int n) {
            long st = step == null ? 1 : step;
            if (st == 0) {
                throw new JinjaException("slice step cannot be zero");
            }
            long lower = st > 0 ? 0 : -1;
            long upper = st > 0 ? n : n - 1;
            long a = start == null ? (st < 0 ? upper : lower) : bound(start, n, lower, upper);
            long b = stop == null ? (st < 0 ? lower : upper) : bound(stop, n, lower, upper);
            List<Integer> out = new ArrayList<>();
            for (long i = a; st > 0 ? i < b : i > b; i += st) {
                out.add((int) i);
            }
            return out;
        }

        private static long bound(long v, int n, long lower, long upper) {
            return v < 0 ? Math.max(v + n, lower) : Math.min(v, upper);
        }
    }

    static Object slice(Object v, Slice s) {
        if (v instanceof String str) {
            int[] cps = str.codePoints().toArray();
            StringBuilder b = new StringBuilder();
            for (int i : s.indexes(cps.length)) {
                b.appendCodePoint(cps[i]);
            }
            return b.toString();
        }
        List<?> items = v instanceof PyTuple t ? t.items() : v instanceof List<?> l ? l : null;
        if (items == null) {
            if (v instanceof Undefined u) {
                throw u.fail();
            }
            throw new JinjaException("'" + typeName(v) + "' object is not subscriptable");
        }
        List<Object> out = new ArrayList<>();
        for (int i : s.indexes(items.size())) {
            out.add(items.get(i));
        }
        return v instanceof PyTuple ? new PyTuple(out) : out;
    }

    // ---------------------------------------------------------------- arithmetic

    static Object binary(String op, Object a, Object b) {
        for (Object x : new Object[] {a, b}) {
            if (x instanceof Undefined u) {
                throw u.fail();
            }
        }
        switch (op) {
            case "+" -> {
                if (isNumber(a) && isNumber(b)) {
                    return integral(a) && integral(b) ? (Object) (toLong(a) + toLong(b)) : toDouble(a) + toDouble(b);
                }
                if (a instanceof String x && b instanceof String y) {
                    return x + y;
                }
                if (a instanceof List<?> x && b instanceof List<?> y) {
                    List<Object> out = new ArrayList<>(x);
                    out.addAll(y);
                    return out;
                }
                if (a instanceof PyTuple x && b instanceof PyTuple y) {
                    List<Object> out = new ArrayList<>(x.items());
                    out.addAll(y.items());
                    return new PyTuple(out);
                }
            }
            case "-" -> {
                if (isNumber(a) && isNumber(b)) {
                    return integral(a) && integral(b) ? (Object) (toLong(a) - toLong(b)) : toDouble(a) - toDouble(b);
                }
            }
            case "*" -> {
                if (isNumber(a) && isNumber(b)) {
                    return integral(a) && integral(b) ? (Object) (toLong(a) * toLong(b)) : toDouble(a) * toDouble(b);
                }
                if (a instanceof String s && integral(b)) {
                    return s.repeat((int) Math.max(0, toLong(b)));
                }
                if (b instanceof String s && integral(a)) {
                    return s.repeat((int) Math.max(0, toLong(a)));
                }
                if (a instanceof List<?> l && integral(b)) {
                    List<Object> out = new ArrayList<>();
                    for (long i = 0; i < toLong(b); i++) {
                        out.addAll(l);
                    }
                    return out;
                }
            }
            case "/" -> {
                if (isNumber(a) && isNumber(b)) {
                    if (toDouble(b) == 0) {
                        throw new JinjaException("division by zero");
                    }
                    return toDouble(a) / toDouble(b);
                }
            }
            case "//" -> {
                if (isNumber(a) && isNumber(b)) {
                    if (toDouble(b) == 0) {
                        throw new JinjaException("integer division or modulo by zero");
                    }
                    return integral(a) && integral(b)
                            ? (Object) Math.floorDiv(toLong(a), toLong(b))
                            : Math.floor(toDouble(a) / toDouble(b));
                }
            }
            case "%" -> {
                if (a instanceof String fmt) {
                    return Format.percent(fmt, b);
                }
                if (isNumber(a) && isNumber(b)) {
                    if (toDouble(b) == 0) {
                        throw new JinjaException("integer division or modulo by zero");
                    }
                    if (integral(a) && integral(b)) {
                        return Math.floorMod(toLong(a), toLong(b));
                    }
                    double x = toDouble(a);
                    double y = toDouble(b);
                    return x - y * Math.floor(x / y);
                }
            }
            case "**" -> {
                if (isNumber(a) && isNumber(b)) {
                    if (integral(a) && integral(b) && toLong(b) >= 0) {
                        long r = 1;
                        for (long i = 0; i < toLong(b); i++) {
                            r = Math.multiplyExact(r, toLong(a));
                        }
                        return r;
                    }
                    return Math.pow(toDouble(a), toDouble(b));
                }
            }
            default -> throw new JinjaException("unknown operator " + op);
        }
        throw new JinjaException(
                "unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    static Object negate(Object v) {
        if (v instanceof Undefined u) {
            throw u.fail();
        }
        if (v instanceof Double d) {
            return -d;
        }
        if (integral(v)) {
            return -toLong(v);
        }
        throw new JinjaException("bad operand type for unary -: '" + typeName(v) + "'");
    }

    // ---------------------------------------------------------------- whitespace

    /** Python's str.isspace for one code point. */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    static boolean isBlank(String s) {
        return !s.isEmpty() && s.codePoints().allMatch(Py::isSpace);
    }

    static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0) {
            int c = s.codePointBefore(end);
            if (!(chars == null ? isSpace(c) : chars.indexOf(c) >= 0)) {
                break;
            }
            end -= Character.charCount(c);
        }
        return s.substring(0, end);
    }

    static String lstrip(String s, String chars) {
        int start = 0;
        while (start < s.length()) {
            int c = s.codePointAt(start);
            if (!(chars == null ? isSpace(c) : chars.indexOf(c) >= 0)) {
                break;
            }
            start += Character.charCount(c);
        }
        return s.substring(start);
    }

    static String strip(String s, String chars) {
        return lstrip(rstrip(s, chars), chars);
    }

    /** Python's str.split (sep null: runs of whitespace). */
    static List<Object> split(String s, String sep, long maxsplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.codePointAt(i))) {
                    i += Character.charCount(s.codePointAt(i));
                }
                if (i >= n) {
                    break;
                }
                if (maxsplit >= 0 && out.size() == maxsplit) {
                    out.add(s.substring(i));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.codePointAt(j))) {
                    j += Character.charCount(s.codePointAt(j));
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new JinjaException("empty separator");
        }
        int start = 0;
        while (maxsplit < 0 || out.size() < maxsplit) {
            int k = s.indexOf(sep, start);
            if (k < 0) {
                break;
            }
            out.add(s.substring(start, k));
            start = k + sep.length();
        }
        out.add(s.substring(start));
        return out;
    }

    /** Python's str.rsplit. */
    static List<Object> rsplit(String s, String sep, long maxsplit) {
        if (maxsplit < 0) {
            return split(s, sep, -1);
        }
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && isSpace(s.codePointBefore(j))) {
                    j -= Character.charCount(s.codePointBefore(j));
                }
                if (j <= 0) {
                    break;
                }
                if (out.size() == maxsplit) {
                    out.add(0, s.substring(0, j));
                    break;
                }
                int i = j;
                while (i > 0 && !isSpace(s.codePointBefore(i))) {
                    i -= Character.charCount(s.codePointBefore(i));
                }
                out.add(0, s.substring(i, j));
                j = i;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new JinjaException("empty separator");
        }
        int end = s.length();
        while (out.size() < maxsplit) {
            int k = s.lastIndexOf(sep, end - sep.length());
            if (k < 0) {
                break;
            }
            out.add(0, s.substring(k + sep.length(), end));
            end = k;
        }
        out.add(0, s.substring(0, end));
        return out;
    }

    static boolean sameObject(Object a, Object b) {
        return a == b || (a != null && (a instanceof Boolean || a instanceof Long) && Objects.equals(a, b));
    }
}
