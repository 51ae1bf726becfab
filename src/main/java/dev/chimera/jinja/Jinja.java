package dev.chimera.jinja;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Jinja2 environment: Jinja2's template language with Python's value semantics (str methods, slices, {@code %}
 * formatting, {@code repr} of lists and dicts, True/None), as transformers' chat templates and lm-eval's
 * {@code doc_to_text} templates expect. No template inheritance, includes or imports: templates here are single
 * strings. Immutable; {@link #compile} is thread-safe and so is rendering a {@link Template}.
 *
 * <p>Two presets mirror the environments of the two projects Chimera must agree with byte for byte:
 * {@link #transformers()} ({@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)}, the
 * loopcontrols extension, the {@code generation} tag, {@code raise_exception}, {@code strftime_now} and a
 * {@code tojson} that keeps non-ASCII and key order) and {@link #lmEval()} ({@code Environment(undefined=
 * StrictUndefined, keep_trailing_newline=True)} with the {@code regex_replace} filter).
 */
public final class Jinja {
    private final JinjaOptions options;
    private final Map<String, Builtins.Fn> filters;
    private final Map<String, Builtins.Fn> tests;
    private final Map<String, Object> globals;

    private Jinja(Builder b) {
        this.options = new JinjaOptions(b.trimBlocks, b.lstripBlocks, b.keepTrailingNewline, b.strictUndefined);
        this.filters = Map.copyOf(b.filters);
        this.tests = Map.copyOf(Builtins.TESTS);
        Map<String, Object> g = new LinkedHashMap<>(Builtins.globals(this));
        g.putAll(b.globals);
        this.globals = java.util.Collections.unmodifiableMap(g);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** transformers' chat-template environment (see the class doc). */
    public static Jinja transformers() {
        Builder b = builder().trimBlocks(true).lstripBlocks(true);
        b.filters.put("tojson", (env, v, a, k) -> {
            Object indent = Builtins.arg(a, k, 1, "indent", null);
            Object separators = Builtins.arg(a, k, 2, "separators", null);
            String itemSep = null;
            String keySep = null;
            if (separators != null) {
                List<Object> seps = Py.iterate(separators);
                itemSep = Py.str(seps.get(0));
                keySep = Py.str(seps.get(1));
            }
            return Json.dumps(
                    v,
                    indent == null ? null : (int) Py.toLong(indent),
                    Py.truthy(Builtins.arg(a, k, 3, "sort_keys", false)),
                    Py.truthy(Builtins.arg(a, k, 0, "ensure_ascii", false)),
                    itemSep,
                    keySep);
        });
        b.globals.putAll(Builtins.transformersGlobals());
        return b.build();
    }

    /** lm-evaluation-harness's environment for task templates (see the class doc). */
    public static Jinja lmEval() {
        Builder b = builder().keepTrailingNewline(true).strictUndefined(true);
        b.filters.put("regex_replace", (env, v, a, k) -> {
            String pattern = Py.str(Builtins.arg(a, k, 0, "pattern", null));
            String repl = Py.str(Builtins.arg(a, k, 1, "repl", null));
            long count = Py.toLong(Builtins.arg(a, k, 2, "count", 0L));
            return PyRegex.sub(pattern, repl, Py.str(v), count);
        });
        return b.build();
    }

    /**
     * Python's {@code ast.literal_eval} for what lm-eval feeds it (a rendered {@code doc_to_choice} or
     * {@code doc_to_target}): strings, numbers, True/False/None, lists, tuples (as lists) and dicts.
     *
     * @throws JinjaException when the text is not one such literal
     */
    public static Object literal(String text) {
        List<Node> body;
        try {
            body = Parser.parse(Lexer.tokenize("{{ " + text + " }}", new JinjaOptions(false, false, true, true)));
        } catch (JinjaException e) {
            throw new JinjaException("not a Python literal: " + Py.repr(text));
        }
        if (body.size() != 1 || !(body.get(0) instanceof Node.Print p)) {
            throw new JinjaException("not a Python literal: " + Py.repr(text));
        }
        return literalValue(p.expr(), text);
    }

    private static Object literalValue(Node.Expr e, String text) {
        if (e instanceof Node.Const c) {
            return c.value();
        }
        if (e instanceof Node.Unary u
                && (u.op().equals("-") || u.op().equals("+"))
                && u.operand() instanceof Node.Const c
                && Py.isNumber(c.value())
                && !(c.value() instanceof Boolean)) {
            return u.op().equals("-") ? Py.negate(c.value()) : c.value();
        }
        if (e instanceof Node.ListLit l) {
            List<Object> out = new java.util.ArrayList<>();
            l.items().forEach(x -> out.add(literalValue(x, text)));
            return out;
        }
        if (e instanceof Node.TupleLit t) {
            List<Object> out = new java.util.ArrayList<>();
            t.items().forEach(x -> out.add(literalValue(x, text)));
            return out;
        }
        if (e instanceof Node.DictLit d) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < d.keys().size(); i++) {
                out.put(
                        literalValue(d.keys().get(i), text),
                        literalValue(d.values().get(i), text));
            }
            return out;
        }
        throw new JinjaException("not a Python literal: " + Py.repr(text));
    }

    /** A JSON tree as Python's json module reads it: Long, Double, String, Boolean, null, List, and Map by key order. */
    public static Object fromJson(com.fasterxml.jackson.databind.JsonNode node) {
        return Py.of(node);
    }

    /** Python's {@code str.strip()}: Unicode whitespace off both ends. */
    public static String pyStrip(String s) {
        return Py.strip(s, null);
    }

    /** Python's {@code str.isspace()} for one code point. */
    public static boolean pyIsSpace(int codePoint) {
        return Py.isSpace(codePoint);
    }

    /** Python's {@code str()} of a Java value (True, None, 1.0, ['a'], ...). */
    public static String pyStr(Object value) {
        return Py.str(Py.of(value));
    }

    /** Parses a template; a syntax error names the line. */
    public Template compile(String source) {
        return new Template(this, Parser.parse(Lexer.tokenize(source, options)));
    }

    JinjaOptions options() {
        return options;
    }

    boolean strict() {
        return options.strictUndefined();
    }

    Map<String, Object> globals() {
        return globals;
    }

    boolean hasFilter(String name) {
        return filters.containsKey(name);
    }

    boolean hasTest(String name) {
        return tests.containsKey(name);
    }

    Builtins.Fn filter(String name) {
        Builtins.Fn f = filters.get(name);
        if (f == null) {
            throw new JinjaException("no filter named '" + name + "'");
        }
        return f;
    }

    Builtins.Fn test(String name) {
        Builtins.Fn t = tests.get(name);
        if (t == null) {
            throw new JinjaException("no test named '" + name + "'");
        }
        return t;
    }

    Undefined undefined(String hint) {
        return new Undefined(hint, options.strictUndefined());
    }

    /** {@code obj.name}: a Python attribute (a method of str, dict or list) first, then the item. */
    Object getattr(Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw u.fail();
        }
        if (obj instanceof Namespace ns) {
            return ns.attrs.containsKey(name)
                    ? ns.attrs.get(name)
                    : undefined("'Namespace' has no attribute '" + name + "'");
        }
        if (obj instanceof Renderer.Loop loop) {
            return loop.attr(name, this);
        }
        PyCallable m = Builtins.method(obj, name);
        if (m != null) {
            return m;
        }
        if (obj instanceof Map<?, ?> map && map.containsKey(name)) {
            return map.get(name);
        }
        return undefined("'" + describe(obj) + "' has no attribute '" + name + "'");
    }

    /** {@code obj|attr(name)}: the Python attribute only, never the item. */
    Object attribute(Object obj, String name) {
        if (obj instanceof Map<?, ?> && Builtins.method(obj, name) == null) {
            return undefined("'" + describe(obj) + "' has no attribute '" + name + "'");
        }
        return getattr(obj, name);
    }

    /** {@code obj[key]}: the item first, then (for a string key) the attribute. */
    Object getitem(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw u.fail();
        }
        if (key instanceof Py.Slice s) {
            return Py.slice(obj, s);
        }
        if (obj instanceof Map<?, ?> map) {
            if (map.containsKey(key)) {
                return map.get(key);
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (Py.isNumber(key) && Py.isNumber(e.getKey()) && Py.eq(key, e.getKey())) {
                    return e.getValue();
                }
            }
        } else if ((obj instanceof List || obj instanceof PyTuple || obj instanceof String)
                && (key instanceof Long || key instanceof Boolean)) {
            long i = Py.toLong(key);
            int n = Py.len(obj);
            if (i < 0) {
                i += n;
            }
            if (i >= 0 && i < n) {
                if (obj instanceof String s) {
                    int at = s.offsetByCodePoints(0, (int) i);
                    return new String(Character.toChars(s.codePointAt(at)));
                }
                List<?> l = obj instanceof PyTuple t ? t.items() : (List<?>) obj;
                return l.get((int) i);
            }
            return undefined("'" + describe(obj) + "' has no element " + key);
        }
        if (key instanceof String name) {
            return getattr(obj, name);
        }
        return undefined("'" + describe(obj) + "' has no element " + Py.repr(key));
    }

    /** Jinja's attribute getter for filters' {@code attribute=}: dotted paths, integer parts as indexes. */
    Object getattrOrItem(Object obj, Object attribute) {
        if (!(attribute instanceof String path)) {
            return getitem(obj, attribute);
        }
        Object v = obj;
        for (String part : path.split("\\.")) {
            Object key =
                    part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part;
            v = getitem(v, key);
        }
        return v;
    }

    private static String describe(Object obj) {
        return obj == null ? "None" : Py.typeName(obj) + " object";
    }

    /** Builds an environment; defaults are Jinja2's ({@code Environment()}). */
    public static final class Builder {
        private boolean trimBlocks;
        private boolean lstripBlocks;
        private boolean keepTrailingNewline;
        private boolean strictUndefined;
        private final Map<String, Builtins.Fn> filters = new HashMap<>(Builtins.FILTERS);
        private final Map<String, Object> globals = new LinkedHashMap<>();

        public Builder trimBlocks(boolean v) {
            trimBlocks = v;
            return this;
        }

        public Builder lstripBlocks(boolean v) {
            lstripBlocks = v;
            return this;
        }

        public Builder keepTrailingNewline(boolean v) {
            keepTrailingNewline = v;
            return this;
        }

        public Builder strictUndefined(boolean v) {
            strictUndefined = v;
            return this;
        }

        /** A filter: the function receives the filtered value first, then the filter's arguments. */
        public Builder filter(String name, PyCallable f) {
            filters.put(name, (env, v, a, k) -> {
                List<Object> args = new java.util.ArrayList<>();
                args.add(v);
                args.addAll(a);
                return Py.of(f.call(args, k));
            });
            return this;
        }

        /** A global value or function (a {@link PyCallable}). */
        public Builder global(String name, Object value) {
            globals.put(name, value instanceof PyCallable ? value : Py.of(value));
            return this;
        }

        public Jinja build() {
            return new Jinja(this);
        }
    }
}
