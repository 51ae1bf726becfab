package dev.chimera.jinja;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Jinja2's built-in filters, tests and globals, and the Python methods of str, dict and list values. */
final class Builtins {
    /** A filter or test: the value, then the call's arguments. */
    @FunctionalInterface
    interface Fn {
        Object apply(Jinja env, Object value, List<Object> args, Map<String, Object> kwargs);
    }

    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)");
    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern TAGS = Pattern.compile("(<!--.*?-->|<[^>]*>)", Pattern.DOTALL);

    static final Map<String, Fn> FILTERS = new HashMap<>();
    static final Map<String, Fn> TESTS = new HashMap<>();

    private Builtins() {}

    /** The i-th argument after the value, or the keyword, or the default. */
    static Object arg(List<Object> args, Map<String, Object> kw, int i, String name, Object def) {
        if (i < args.size()) {
            return args.get(i);
        }
        return kw.containsKey(name) ? kw.get(name) : def;
    }

    private static String s(Object v) {
        return Py.str(v);
    }

    static {
        Map<String, Fn> f = FILTERS;
        f.put("abs", (e, v, a, k) -> v instanceof Double d ? (Object) Math.abs(d) : (Object) Math.abs(Py.toLong(v)));
        f.put("attr", (e, v, a, k) -> e.attribute(v, s(a.get(0))));
        f.put("capitalize", (e, v, a, k) -> capitalize(s(v)));
        f.put("center", (e, v, a, k) -> center(s(v), (int) Py.toLong(arg(a, k, 0, "width", 80L))));
        f.put("count", (e, v, a, k) -> (long) Py.len(v));
        f.put("length", f.get("count"));
        Fn dflt = (e, v, a, k) -> {
            Object d = arg(a, k, 0, "default_value", "");
            boolean bool = Py.truthy(arg(a, k, 1, "boolean", false));
            return v instanceof Undefined || (bool && !Py.truthy(v)) ? d : v;
        };
        f.put("default", dflt);
        f.put("d", dflt);
        f.put("dictsort", (e, v, a, k) -> dictsort(v, a, k));
        Fn escape = (e, v, a, k) -> escape(s(v));
        f.put("escape", escape);
        f.put("e", escape);
        f.put("forceescape", escape);
        f.put("first", (e, v, a, k) -> {
            List<Object> l = Py.iterate(v);
            return l.isEmpty() ? new Undefined("No first item, sequence was empty.", e.strict()) : l.get(0);
        });
        f.put("last", (e, v, a, k) -> {
            List<Object> l = Py.iterate(v);
            return l.isEmpty() ? new Undefined("No last item, sequence was empty.", e.strict()) : l.get(l.size() - 1);
        });
        f.put("float", (e, v, a, k) -> toFloat(v, arg(a, k, 0, "default", 0.0)));
        f.put(
                "format",
                (e, v, a, k) -> a.size() == 1 && a.get(0) instanceof Map<?, ?> m && k.isEmpty()
                        ? Format.percent(s(v), m)
                        : k.isEmpty() ? Format.percent(s(v), new PyTuple(a)) : Format.percent(s(v), k));
        f.put("indent", (e, v, a, k) -> indent(s(v), arg(a, k, 0, "width", 4L), a, k));
        f.put("int", (e, v, a, k) -> toInt(v, arg(a, k, 0, "default", 0L), Py.toLong(arg(a, k, 1, "base", 10L))));
        f.put("items", (e, v, a, k) -> {
            if (v instanceof Undefined u) {
                if (u.strict) {
                    throw u.fail();
                }
                return new ArrayList<>();
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw new JinjaException("can only get item pairs from a mapping");
            }
            List<Object> out = new ArrayList<>();
            m.forEach((x, y) -> out.add(new PyTuple(java.util.Arrays.asList(x, y))));
            return out;
        });
        f.put("join", (e, v, a, k) -> {
            String sep = s(arg(a, k, 0, "d", ""));
            Object attribute = arg(a, k, 1, "attribute", null);
            StringBuilder b = new StringBuilder();
            boolean first = true;
            for (Object o : Py.iterate(v)) {
                b.append(first ? "" : sep).append(s(attribute == null ? o : e.getattrOrItem(o, attribute)));
                first = false;
            }
            return b.toString();
        });
        f.put("list", (e, v, a, k) -> Py.iterate(v));
        f.put("lower", (e, v, a, k) -> s(v).toLowerCase(Locale.ROOT));
        f.put("upper", (e, v, a, k) -> s(v).toUpperCase(Locale.ROOT));
        f.put("map", (e, v, a, k) -> {
            List<Object> out = new ArrayList<>();
            if (a.isEmpty() && k.containsKey("attribute")) {
                Object attribute = k.get("attribute");
                for (Object o : Py.iterate(v)) {
                    Object x = e.getattrOrItem(o, attribute);
                    out.add(x instanceof Undefined && k.containsKey("default") ? k.get("default") : x);
                }
                return out;
            }
            String name = s(a.get(0));
            Fn filter = e.filter(name);
            for (Object o : Py.iterate(v)) {
                out.add(filter.apply(e, o, a.subList(1, a.size()), k));
            }
            return out;
        });
        f.put("max", (e, v, a, k) -> minMax(e, v, a, k, true));
        f.put("min", (e, v, a, k) -> minMax(e, v, a, k, false));
        f.put("pprint", (e, v, a, k) -> Py.repr(v));
        f.put("reject", (e, v, a, k) -> select(e, v, a, k, false, false));
        f.put("rejectattr", (e, v, a, k) -> select(e, v, a, k, false, true));
        f.put("select", (e, v, a, k) -> select(e, v, a, k, true, false));
        f.put("selectattr", (e, v, a, k) -> select(e, v, a, k, true, true));
        f.put(
                "replace",
                (e, v, a, k) -> replace(s(v), s(a.get(0)), s(a.get(1)), Py.toLong(arg(a, k, 2, "count", -1L))));
        f.put("reverse", (e, v, a, k) -> {
            if (v instanceof String str) {
                return new StringBuilder(str).reverse().toString();
            }
            List<Object> l = Py.iterate(v);
            java.util.Collections.reverse(l);
            return l;
        });
        f.put(
                "round",
                (e, v, a, k) ->
                        round(v, Py.toLong(arg(a, k, 0, "precision", 0L)), s(arg(a, k, 1, "method", "common"))));
        f.put("safe", (e, v, a, k) -> v);
        f.put("sort", (e, v, a, k) -> sort(e, v, a, k));
        f.put("string", (e, v, a, k) -> s(v));
        f.put(
                "striptags",
                (e, v, a, k) -> String.join(
                        " ",
                        Py.split(TAGS.matcher(s(v)).replaceAll(""), null, -1).stream()
                                .map(Py::str)
                                .toList()));
        f.put("sum", (e, v, a, k) -> {
            Object attribute = arg(a, k, 0, "attribute", null);
            Object total = arg(a, k, 1, "start", 0L);
            for (Object o : Py.iterate(v)) {
                total = Py.binary("+", total, attribute == null ? o : e.getattrOrItem(o, attribute));
            }
            return total;
        });
        f.put("title", (e, v, a, k) -> title(s(v)));
        f.put("tojson", (e, v, a, k) -> Json.htmlSafe(v, indentArg(arg(a, k, 0, "indent", null))));
        f.put("trim", (e, v, a, k) -> Py.strip(s(v), (String) arg(a, k, 0, "chars", null)));
        f.put("truncate", (e, v, a, k) -> truncate(s(v), a, k));
        f.put("unique", (e, v, a, k) -> unique(e, v, a, k));
        f.put("wordcount", (e, v, a, k) -> WORD.matcher(s(v)).results().count());
        f.put(
                "batch",
                (e, v, a, k) -> batch(
                        v,
                        (int) Py.toLong(a.get(0)),
                        arg(a, k, 1, "fill_with", null),
                        a.size() > 1 || k.containsKey("fill_with")));

        Map<String, Fn> t = TESTS;
        t.put("defined", (e, v, a, k) -> !(v instanceof Undefined));
        t.put("undefined", (e, v, a, k) -> v instanceof Undefined);
        t.put("none", (e, v, a, k) -> v == null);
        t.put("boolean", (e, v, a, k) -> v instanceof Boolean);
        t.put("false", (e, v, a, k) -> Boolean.FALSE.equals(v));
        t.put("true", (e, v, a, k) -> Boolean.TRUE.equals(v));
        t.put("integer", (e, v, a, k) -> v instanceof Long);
        t.put("float", (e, v, a, k) -> v instanceof Double);
        t.put("number", (e, v, a, k) -> Py.isNumber(v));
        t.put("string", (e, v, a, k) -> v instanceof String);
        t.put("mapping", (e, v, a, k) -> v instanceof Map || v instanceof Namespace);
        t.put(
                "sequence",
                (e, v, a, k) -> v instanceof String || v instanceof List || v instanceof PyTuple || v instanceof Map);
        t.put(
                "iterable",
                (e, v, a, k) -> v instanceof String || v instanceof List || v instanceof PyTuple || v instanceof Map);
        t.put("callable", (e, v, a, k) -> v instanceof PyCallable);
        t.put("sameas", (e, v, a, k) -> Py.sameObject(v, a.get(0)));
        t.put("escaped", (e, v, a, k) -> false);
        t.put("in", (e, v, a, k) -> Py.contains(a.get(0), v));
        Fn eq = (e, v, a, k) -> Py.eq(v, a.get(0));
        t.put("eq", eq);
        t.put("equalto", eq);
        t.put("==", eq);
        Fn ne = (e, v, a, k) -> !Py.eq(v, a.get(0));
        t.put("ne", ne);
        t.put("!=", ne);
        for (String[] names :
                new String[][] {{"lt", "<", "lessthan"}, {"le", "<="}, {"gt", ">", "greaterthan"}, {"ge", ">="}}) {
            String op = names[0];
            Fn cmp = (e, v, a, k) -> {
                int c = Py.compare(v, a.get(0), op);
                return switch (op) {
                    case "lt" -> c < 0;
                    case "le" -> c <= 0;
                    case "gt" -> c > 0;
                    default -> c >= 0;
                };
            };
            for (String n : names) {
                t.put(n, cmp);
            }
        }
        t.put("odd", (e, v, a, k) -> Math.floorMod(Py.toLong(v), 2) == 1);
        t.put("even", (e, v, a, k) -> Math.floorMod(Py.toLong(v), 2) == 0);
        t.put("divisibleby", (e, v, a, k) -> Math.floorMod(Py.toLong(v), Py.toLong(a.get(0))) == 0);
        t.put("lower", (e, v, a, k) -> v instanceof String x && x.equals(x.toLowerCase(Locale.ROOT)));
        t.put("upper", (e, v, a, k) -> v instanceof String x && x.equals(x.toUpperCase(Locale.ROOT)));
        t.put("filter", (e, v, a, k) -> e.hasFilter(s(v)));
        t.put("test", (e, v, a, k) -> e.hasTest(s(v)));
    }

    /** Global functions every template sees. */
    static Map<String, Object> globals(Jinja env) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("range", (PyCallable) (a, k) -> {
            long start = a.size() > 1 ? Py.toLong(a.get(0)) : 0;
            long stop = Py.toLong(a.size() > 1 ? a.get(1) : a.get(0));
            long step = a.size() > 2 ? Py.toLong(a.get(2)) : 1;
            if (step == 0) {
                throw new JinjaException("range() arg 3 must not be zero");
            }
            List<Object> out = new ArrayList<>();
            for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
                out.add(i);
                if (out.size() > 100_000) {
                    throw new JinjaException("range too big");
                }
            }
            return out;
        });
        g.put("dict", (PyCallable) (a, k) -> {
            Map<Object, Object> m = new LinkedHashMap<>();
            if (!a.isEmpty() && a.get(0) instanceof Map<?, ?> src) {
                m.putAll(src);
            }
            m.putAll(k);
            return m;
        });
        g.put("namespace", (PyCallable) (a, k) -> {
            Namespace ns = new Namespace();
            if (!a.isEmpty() && a.get(0) instanceof Map<?, ?> src) {
                src.forEach((x, y) -> ns.attrs.put(Py.str(x), y));
            }
            ns.attrs.putAll(k);
            return ns;
        });
        g.put("cycler", (PyCallable) (a, k) -> {
            Namespace c = new Namespace();
            int[] pos = {0};
            c.attrs.put("next", (PyCallable) (x, y) -> a.get(pos[0]++ % a.size()));
            return c;
        });
        g.put("joiner", (PyCallable) (a, k) -> {
            String sep = a.isEmpty() ? ", " : Py.str(a.get(0));
            boolean[] used = {false};
            return (PyCallable) (x, y) -> {
                if (!used[0]) {
                    used[0] = true;
                    return "";
                }
                return sep;
            };
        });
        return g;
    }

    /** transformers' chat-template extras: raise_exception and strftime_now. */
    static Map<String, Object> transformersGlobals() {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("raise_exception", (PyCallable) (a, k) -> {
            throw new TemplateRaised(a.isEmpty() ? "" : Py.str(a.get(0)));
        });
        g.put("strftime_now", (PyCallable) (a, k) -> strftime(Py.str(a.get(0)), LocalDateTime.now()));
        return g;
    }

    /** An error the template raised itself (transformers' raise_exception). */
    static final class TemplateRaised extends JinjaException {
        TemplateRaised(String message) {
            super(message);
        }
    }

    static String strftime(String fmt, LocalDateTime t) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                b.append(c);
                continue;
            }
            char d = fmt.charAt(++i);
            switch (d) {
                case 'd' -> b.append(String.format("%02d", t.getDayOfMonth()));
                case 'm' -> b.append(String.format("%02d", t.getMonthValue()));
                case 'Y' -> b.append(t.getYear());
                case 'y' -> b.append(String.format("%02d", t.getYear() % 100));
                case 'H' -> b.append(String.format("%02d", t.getHour()));
                case 'I' -> b.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
                case 'M' -> b.append(String.format("%02d", t.getMinute()));
                case 'S' -> b.append(String.format("%02d", t.getSecond()));
                case 'p' -> b.append(t.getHour() < 12 ? "AM" : "PM");
                case 'b', 'h' -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'j' -> b.append(String.format("%03d", t.getDayOfYear()));
                case '%' -> b.append('%');
                default -> b.append('%').append(d);
            }
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- methods of values

    /** The Python method {@code name} bound to {@code obj}, or null when the type has none. */
    static PyCallable method(Object obj, String name) {
        if (obj instanceof String s) {
            return stringMethod(s, name);
        }
        if (obj instanceof Map<?, ?> m) {
            return switch (name) {
                case "items" ->
                    (a, k) -> {
                        List<Object> out = new ArrayList<>();
                        m.forEach((x, y) -> out.add(new PyTuple(java.util.Arrays.asList(x, y))));
                        return out;
                    };
                case "keys" -> (a, k) -> new ArrayList<Object>(m.keySet());
                case "values" -> (a, k) -> new ArrayList<Object>(m.values());
                case "get" -> (a, k) -> m.containsKey(a.get(0)) ? m.get(a.get(0)) : a.size() > 1 ? a.get(1) : null;
                case "copy" -> (a, k) -> new LinkedHashMap<Object, Object>(m);
                default -> null;
            };
        }
        if (obj instanceof List<?> || obj instanceof PyTuple) {
            List<?> l = obj instanceof PyTuple t ? t.items() : (List<?>) obj;
            return switch (name) {
                case "index" ->
                    (a, k) -> {
                        for (int i = 0; i < l.size(); i++) {
                            if (Py.eq(l.get(i), a.get(0))) {
                                return (long) i;
                            }
                        }
                        throw new JinjaException(Py.repr(a.get(0)) + " is not in list");
                    };
                case "count" ->
                    (a, k) -> l.stream().filter(x -> Py.eq(x, a.get(0))).count();
                case "copy" -> (a, k) -> new ArrayList<Object>(l);
                default -> null;
            };
        }
        return null;
    }

    private static PyCallable stringMethod(String s, String name) {
        return switch (name) {
            case "strip" -> (a, k) -> Py.strip(s, chars(a));
            case "lstrip" -> (a, k) -> Py.lstrip(s, chars(a));
            case "rstrip" -> (a, k) -> Py.rstrip(s, chars(a));
            case "split" -> (a, k) -> Py.split(s, sep(a, k), maxsplit(a, k));
            case "rsplit" -> (a, k) -> Py.rsplit(s, sep(a, k), maxsplit(a, k));
            case "splitlines" -> (a, k) -> splitlines(s, Py.truthy(arg(a, k, 0, "keepends", false)));
            case "startswith" -> (a, k) -> affix(s, a.get(0), true);
            case "endswith" -> (a, k) -> affix(s, a.get(0), false);
            case "replace" ->
                (a, k) -> replace(s, Py.str(a.get(0)), Py.str(a.get(1)), a.size() > 2 ? Py.toLong(a.get(2)) : -1);
            case "upper" -> (a, k) -> s.toUpperCase(Locale.ROOT);
            case "lower", "casefold" -> (a, k) -> s.toLowerCase(Locale.ROOT);
            case "title" -> (a, k) -> pyTitle(s);
            case "capitalize" -> (a, k) -> capitalize(s);
            case "swapcase" -> (a, k) -> swapcase(s);
            case "find" -> (a, k) -> (long) cpIndex(s, s.indexOf(Py.str(a.get(0))));
            case "rfind" -> (a, k) -> (long) cpIndex(s, s.lastIndexOf(Py.str(a.get(0))));
            case "index", "rindex" ->
                (a, k) -> {
                    int i = name.equals("index") ? s.indexOf(Py.str(a.get(0))) : s.lastIndexOf(Py.str(a.get(0)));
                    if (i < 0) {
                        throw new JinjaException("substring not found");
                    }
                    return (long) cpIndex(s, i);
                };
            case "count" ->
                (a, k) -> {
                    String sub = Py.str(a.get(0));
                    if (sub.isEmpty()) {
                        return (long) Py.len(s) + 1;
                    }
                    long n = 0;
                    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
                        n++;
                    }
                    return n;
                };
            case "join" ->
                (a, k) -> {
                    StringBuilder b = new StringBuilder();
                    boolean first = true;
                    for (Object o : Py.iterate(a.get(0))) {
                        if (!(o instanceof String x)) {
                            throw new JinjaException(
                                    "sequence item: expected str instance, " + Py.typeName(o) + " found");
                        }
                        b.append(first ? "" : s).append(x);
                        first = false;
                    }
                    return b.toString();
                };
            case "format" -> (a, k) -> Format.format(s, a, k);
            case "isdigit", "isdecimal", "isnumeric" ->
                (a, k) -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> (a, k) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> (a, k) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> (a, k) -> Py.isBlank(s);
            case "islower" ->
                (a, k) -> s.codePoints().anyMatch(Character::isLowerCase) && s.equals(s.toLowerCase(Locale.ROOT));
            case "isupper" ->
                (a, k) -> s.codePoints().anyMatch(Character::isUpperCase) && s.equals(s.toUpperCase(Locale.ROOT));
            case "ljust" -> (a, k) -> justify(s, a, -1);
            case "rjust" -> (a, k) -> justify(s, a, 1);
            case "center" -> (a, k) -> center(s, (int) Py.toLong(a.get(0)));
            case "zfill" ->
                (a, k) -> {
                    int w = (int) Py.toLong(a.get(0));
                    int n = Py.len(s);
                    if (n >= w) {
                        return s;
                    }
                    boolean sign = s.startsWith("-") || s.startsWith("+");
                    return sign ? s.charAt(0) + "0".repeat(w - n) + s.substring(1) : "0".repeat(w - n) + s;
                };
            default -> null;
        };
    }

    private static String chars(List<Object> a) {
        return a.isEmpty() || a.get(0) == null ? null : Py.str(a.get(0));
    }

    private static String sep(List<Object> a, Map<String, Object> k) {
        Object v = arg(a, k, 0, "sep", null);
        return v == null ? null : Py.str(v);
    }

    private static long maxsplit(List<Object> a, Map<String, Object> k) {
        return Py.toLong(arg(a, k, 1, "maxsplit", -1L));
    }

    private static boolean affix(String s, Object what, boolean start) {
        if (what instanceof PyTuple t) {
            return t.items().stream().anyMatch(x -> affix(s, x, start));
        }
        if (!(what instanceof String x)) {
            throw new JinjaException((start ? "startswith" : "endswith")
                    + " first arg must be str or a tuple of str, not " + Py.typeName(what));
        }
        return start ? s.startsWith(x) : s.endsWith(x);
    }

    private static int cpIndex(String s, int charIndex) {
        return charIndex < 0 ? -1 : s.codePointCount(0, charIndex);
    }

    static String replace(String s, String old, String with, long count) {
        if (count < 0) {
            return s.replace(old, with);
        }
        StringBuilder b = new StringBuilder();
        int from = 0;
        long n = 0;
        if (old.isEmpty()) {
            int[] cps = s.codePoints().toArray();
            for (int i = 0; i <= cps.length; i++) {
                if (n < count) {
                    b.append(with);
                    n++;
                }
                if (i < cps.length) {
                    b.appendCodePoint(cps[i]);
                }
            }
            return b.toString();
        }
        while (n < count) {
            int i = s.indexOf(old, from);
            if (i < 0) {
                break;
            }
            b.append(s, from, i).append(with);
            from = i + old.length();
            n++;
        }
        return b.append(s.substring(from)).toString();
    }

    static List<Object> splitlines(String s, boolean keepEnds) {
        List<Object> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int brk = 0;
            if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                brk = 2;
            } else if ("\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029".indexOf(c) >= 0) {
                brk = 1;
            }
            if (brk > 0) {
                out.add(s.substring(start, keepEnds ? i + brk : i));
                i += brk;
                start = i;
            } else {
                i++;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    private static String justify(String s, List<Object> a, int side) {
        int w = (int) Py.toLong(a.get(0));
        String fill = a.size() > 1 ? Py.str(a.get(1)) : " ";
        int n = Py.len(s);
        if (n >= w) {
            return s;
        }
        return side < 0 ? s + fill.repeat(w - n) : fill.repeat(w - n) + s;
    }

    static String center(String s, int width) {
        int n = Py.len(s);
        if (n >= width) {
            return s;
        }
        int marg = width - n;
        int left = marg / 2 + (marg & width & 1);
        return " ".repeat(left) + s + " ".repeat(marg - left);
    }

    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return new String(Character.toChars(Character.toUpperCase(first)))
                + s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT);
    }

    private static String swapcase(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints()
                .forEach(c -> b.appendCodePoint(
                        Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c)));
        return b.toString();
    }

    /** Python's str.title: the first cased letter after a non-letter is upper case, the rest lower. */
    private static String pyTitle(String s) {
        StringBuilder b = new StringBuilder();
        boolean prevCased = false;
        for (int c : s.codePoints().toArray()) {
            boolean cased = Character.isLetter(c);
            b.appendCodePoint(cased ? (prevCased ? Character.toLowerCase(c) : Character.toTitleCase(c)) : c);
            prevCased = cased;
        }
        return b.toString();
    }

    /** Jinja's title filter: capitalise each word split at whitespace, dashes and opening brackets. */
    static String title(String s) {
        StringBuilder b = new StringBuilder();
        Matcher m = WORD_BEGINNING.matcher(s);
        int last = 0;
        List<String> parts = new ArrayList<>();
        while (m.find()) {
            parts.add(s.substring(last, m.start()));
            parts.add(m.group());
            last = m.end();
        }
        parts.add(s.substring(last));
        for (String item : parts) {
            if (!item.isEmpty()) {
                int first = item.codePointAt(0);
                b.appendCodePoint(Character.toUpperCase(first))
                        .append(item.substring(Character.charCount(first)).toLowerCase(Locale.ROOT));
            }
        }
        return b.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("'", "&#39;")
                .replace("\"", "&#34;");
    }

    private static Object toInt(Object v, Object def, long base) {
        if (v instanceof Long || v instanceof Boolean) {
            return Py.toLong(v);
        }
        if (v instanceof Double d) {
            return (long) d.doubleValue();
        }
        if (v instanceof String s) {
            String t = Py.strip(s, null).replace("_", "");
            try {
                return Long.parseLong(t, (int) base);
            } catch (NumberFormatException e) {
                try {
                    return (long) Double.parseDouble(t);
                } catch (NumberFormatException e2) {
                    return def;
                }
            }
        }
        return def;
    }

    private static Object toFloat(Object v, Object def) {
        if (Py.isNumber(v)) {
            return Py.toDouble(v);
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(Py.strip(s, null));
            } catch (NumberFormatException e) {
                return def;
            }
        }
        return def;
    }

    private static Integer indentArg(Object v) {
        return v == null ? null : (int) Py.toLong(v);
    }

    private static String indent(String s, Object width, List<Object> a, Map<String, Object> k) {
        String ind = width instanceof String w ? w : " ".repeat((int) Py.toLong(width));
        boolean first = Py.truthy(arg(a, k, 1, "first", false));
        boolean blank = Py.truthy(arg(a, k, 2, "blank", false));
        List<Object> lines = splitlines(s + "\n", false);
        String rv;
        if (blank) {
            rv = String.join("\n" + ind, lines.stream().map(Py::str).toList());
        } else {
            StringBuilder b = new StringBuilder(Py.str(lines.get(0)));
            for (int i = 1; i < lines.size(); i++) {
                String line = Py.str(lines.get(i));
                b.append('\n').append(line.isEmpty() ? line : ind + line);
            }
            rv = b.toString();
        }
        return first ? ind + rv : rv;
    }

    private static Object round(Object v, long precision, String method) {
        double d = Py.toDouble(v);
        // Python's round(): half to even on the float's exact binary value
        java.math.RoundingMode mode = switch (method) {
            case "common" -> java.math.RoundingMode.HALF_EVEN;
            case "ceil" -> java.math.RoundingMode.CEILING;
            case "floor" -> java.math.RoundingMode.FLOOR;
            default -> throw new JinjaException("method must be common, ceil or floor");
        };
        return new java.math.BigDecimal(d).setScale((int) precision, mode).doubleValue();
    }

    private static String truncate(String s, List<Object> a, Map<String, Object> k) {
        int length = (int) Py.toLong(arg(a, k, 0, "length", 255L));
        boolean killwords = Py.truthy(arg(a, k, 1, "killwords", false));
        String end = Py.str(arg(a, k, 2, "end", "..."));
        int leeway = (int) Py.toLong(arg(a, k, 3, "leeway", 5L));
        if (Py.len(s) <= length + leeway) {
            return s;
        }
        String head = (String) Py.slice(s, new Py.Slice(null, (long) (length - Py.len(end)), null));
        if (killwords) {
            return head + end;
        }
        return Py.str(Py.rsplit(head, " ", 1).get(0)) + end;
    }

    private static Comparator<Object> order(Jinja e, Object attribute, boolean caseSensitive) {
        return (x, y) -> {
            Object a = attribute == null ? x : e.getattrOrItem(x, attribute);
            Object b = attribute == null ? y : e.getattrOrItem(y, attribute);
            if (!caseSensitive) {
                a = a instanceof String s ? s.toLowerCase(Locale.ROOT) : a;
                b = b instanceof String s ? s.toLowerCase(Locale.ROOT) : b;
            }
            return Py.compare(a, b, "<");
        };
    }

    private static Object sort(Jinja e, Object v, List<Object> a, Map<String, Object> k) {
        boolean reverse = Py.truthy(arg(a, k, 0, "reverse", false));
        boolean cs = Py.truthy(arg(a, k, 1, "case_sensitive", false));
        Object attribute = arg(a, k, 2, "attribute", null);
        List<Object> l = Py.iterate(v);
        Comparator<Object> c = order(e, attribute, cs);
        l.sort(reverse ? c.reversed() : c);
        return l;
    }

    private static Object dictsort(Object v, List<Object> a, Map<String, Object> k) {
        boolean cs = Py.truthy(arg(a, k, 0, "case_sensitive", false));
        int pos = "value".equals(arg(a, k, 1, "by", "key")) ? 1 : 0;
        boolean reverse = Py.truthy(arg(a, k, 2, "reverse", false));
        if (!(v instanceof Map<?, ?> m)) {
            throw new JinjaException("dictsort needs a mapping");
        }
        List<Object> pairs = new ArrayList<>();
        m.forEach((x, y) -> pairs.add(new PyTuple(java.util.Arrays.asList(x, y))));
        Comparator<Object> c = (x, y) -> {
            Object p = ((PyTuple) x).items().get(pos);
            Object q = ((PyTuple) y).items().get(pos);
            if (!cs) {
                p = p instanceof String s ? s.toLowerCase(Locale.ROOT) : p;
                q = q instanceof String s ? s.toLowerCase(Locale.ROOT) : q;
            }
            return Py.compare(p, q, "<");
        };
        pairs.sort(reverse ? c.reversed() : c);
        return pairs;
    }

    private static Object unique(Jinja e, Object v, List<Object> a, Map<String, Object> k) {
        boolean cs = Py.truthy(arg(a, k, 0, "case_sensitive", false));
        Object attribute = arg(a, k, 1, "attribute", null);
        List<Object> out = new ArrayList<>();
        List<Object> seen = new ArrayList<>();
        for (Object o : Py.iterate(v)) {
            Object key = attribute == null ? o : e.getattrOrItem(o, attribute);
            if (!cs && key instanceof String s) {
                key = s.toLowerCase(Locale.ROOT);
            }
            Object fk = key;
            if (seen.stream().noneMatch(x -> Py.eq(x, fk))) {
                seen.add(key);
                out.add(o);
            }
        }
        return out;
    }

    private static Object minMax(Jinja e, Object v, List<Object> a, Map<String, Object> k, boolean max) {
        boolean cs = Py.truthy(arg(a, k, 0, "case_sensitive", false));
        Object attribute = arg(a, k, 1, "attribute", null);
        List<Object> l = Py.iterate(v);
        if (l.isEmpty()) {
            return new Undefined("No aggregated item, sequence was empty.", e.strict());
        }
        Comparator<Object> c = order(e, attribute, cs);
        return max ? l.stream().max(c).orElseThrow() : l.stream().min(c).orElseThrow();
    }

    private static Object select(Jinja e, Object v, List<Object> a, Map<String, Object> k, boolean keep, boolean attr) {
        List<Object> out = new ArrayList<>();
        int off = attr ? 1 : 0;
        Object attribute = attr ? a.get(0) : null;
        String test = a.size() > off ? Py.str(a.get(off)) : null;
        List<Object> rest = a.size() > off + 1 ? a.subList(off + 1, a.size()) : List.of();
        for (Object o : Py.iterate(v)) {
            Object x = attr ? e.getattrOrItem(o, attribute) : o;
            boolean ok = test == null ? Py.truthy(x) : Py.truthy(e.test(test).apply(e, x, rest, Map.of()));
            if (ok == keep) {
                out.add(o);
            }
        }
        return out;
    }

    private static Object batch(Object v, int n, Object fill, boolean hasFill) {
        List<Object> out = new ArrayList<>();
        List<Object> cur = new ArrayList<>();
        for (Object o : Py.iterate(v)) {
            if (cur.size() == n) {
                out.add(cur);
                cur = new ArrayList<>();
            }
            cur.add(o);
        }
        if (!cur.isEmpty()) {
            if (hasFill) {
                while (cur.size() < n) {
                    cur.add(fill);
                }
            }
            out.add(cur);
        }
        return out;
    }
}
