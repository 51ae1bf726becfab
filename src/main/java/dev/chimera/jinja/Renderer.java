package dev.chimera.jinja;

import dev.chimera.jinja.Node.Args;
import dev.chimera.jinja.Node.Expr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed template. Scopes follow Jinja2: {@code if} shares its scope, each {@code for} iteration, macro
 * call and {@code with} block gets a child scope (a {@code set} there does not leak out; a namespace does).
 */
final class Renderer {
    private static final Object MISSING = new Object();

    private final Jinja env;

    Renderer(Jinja env) {
        this.env = env;
    }

    /** A variable scope. */
    static final class Frame {
        final Map<String, Object> vars = new HashMap<>();
        final Frame parent;

        Frame(Frame parent) {
            this.parent = parent;
        }

        Object lookup(String name) {
            for (Frame f = this; f != null; f = f.parent) {
                if (f.vars.containsKey(name)) {
                    return f.vars.get(name);
                }
            }
            return MISSING;
        }
    }

    private static final class BreakSignal extends RuntimeException {
        BreakSignal() {
            super(null, null, false, false);
        }
    }

    private static final class ContinueSignal extends RuntimeException {
        ContinueSignal() {
            super(null, null, false, false);
        }
    }

    private static final BreakSignal BREAK = new BreakSignal();
    private static final ContinueSignal CONTINUE = new ContinueSignal();

    /** Jinja's {@code loop} variable. */
    static final class Loop {
        final List<Object> items;
        int index0;

        Loop(List<Object> items) {
            this.items = items;
        }

        Object attr(String name, Jinja env) {
            int n = items.size();
            return switch (name) {
                case "index" -> (long) index0 + 1;
                case "index0" -> (long) index0;
                case "revindex" -> (long) (n - index0);
                case "revindex0" -> (long) (n - index0 - 1);
                case "first" -> index0 == 0;
                case "last" -> index0 == n - 1;
                case "length" -> (long) n;
                case "depth" -> 1L;
                case "depth0" -> 0L;
                case "previtem" -> index0 > 0 ? items.get(index0 - 1) : env.undefined("there is no previous item");
                case "nextitem" -> index0 < n - 1 ? items.get(index0 + 1) : env.undefined("there is no next item");
                case "cycle" ->
                    (PyCallable) (a, k) -> {
                        if (a.isEmpty()) {
                            throw new JinjaException("no items for cycling given");
                        }
                        return a.get(index0 % a.size());
                    };
                default -> env.undefined("'LoopContext' has no attribute '" + name + "'");
            };
        }
    }

    /** A macro: a callable that renders its body in a scope of its own. */
    private final class Macro implements PyCallable {
        final String name;
        final List<String> params;
        final List<Expr> defaults;
        final List<Node> body;
        final Frame defined;

        Macro(String name, List<String> params, List<Expr> defaults, List<Node> body, Frame defined) {
            this.name = name;
            this.params = params;
            this.defaults = defaults;
            this.body = body;
            this.defined = defined;
        }

        @Override
        public Object call(List<Object> args, Map<String, Object> kwargs) {
            Frame f = new Frame(defined);
            Map<String, Object> extra = new LinkedHashMap<>(kwargs);
            int firstDefault = params.size() - defaults.size();
            for (int i = 0; i < params.size(); i++) {
                String p = params.get(i);
                Object v;
                if (i < args.size()) {
                    v = args.get(i);
                } else if (extra.containsKey(p)) {
                    v = extra.remove(p);
                } else if (i >= firstDefault) {
                    v = eval(defaults.get(i - firstDefault), f);
                } else {
                    v = env.undefined("parameter '" + p + "' was not provided");
                }
                f.vars.put(p, v);
            }
            f.vars.put("varargs", args.size() > params.size() ? args.subList(params.size(), args.size()) : List.of());
            if (extra.containsKey("caller")) {
                f.vars.put("caller", extra.remove("caller"));
            }
            f.vars.put("kwargs", new LinkedHashMap<Object, Object>(extra));
            StringBuilder out = new StringBuilder();
            renderAll(body, f, out);
            return out.toString();
        }

        @Override
        public String toString() {
            return "<Macro '" + name + "'>";
        }
    }

    String render(List<Node> body, Map<String, Object> context) {
        Frame globals = new Frame(null);
        globals.vars.putAll(env.globals());
        Frame root = new Frame(globals);
        root.vars.putAll(context);
        StringBuilder out = new StringBuilder();
        try {
            renderAll(body, root, out);
        } catch (BreakSignal | ContinueSignal e) {
            throw new JinjaException("break or continue outside a loop");
        } catch (StackOverflowError e) {
            throw new JinjaException("template recursion too deep");
        }
        return out.toString();
    }

    private void renderAll(List<Node> nodes, Frame f, StringBuilder out) {
        for (Node n : nodes) {
            try {
                render(n, f, out);
            } catch (BreakSignal | ContinueSignal | Builtins.TemplateRaised e) {
                throw e;
            } catch (JinjaException e) {
                throw located(e, n.line());
            } catch (RuntimeException e) {
                throw located(new JinjaException(e.toString(), e), n.line());
            }
        }
    }

    private static JinjaException located(JinjaException e, int line) {
        if (e.getMessage() != null && e.getMessage().startsWith("line ")) {
            return e;
        }
        return new JinjaException("line " + line + ": " + e.getMessage(), e);
    }

    private void render(Node n, Frame f, StringBuilder out) {
        if (n instanceof Node.Text t) {
            out.append(t.text());
        } else if (n instanceof Node.Print p) {
            out.append(Py.str(eval(p.expr(), f)));
        } else if (n instanceof Node.If i) {
            for (int k = 0; k < i.tests().size(); k++) {
                if (Py.truthy(eval(i.tests().get(k), f))) {
                    renderAll(i.bodies().get(k), f, out);
                    return;
                }
            }
            renderAll(i.otherwise(), f, out);
        } else if (n instanceof Node.For loop) {
            renderFor(loop, f, out);
        } else if (n instanceof Node.Set s) {
            assign(s.target(), eval(s.value(), f), f);
        } else if (n instanceof Node.SetBlock s) {
            StringBuilder body = new StringBuilder();
            renderAll(s.body(), new Frame(f), body);
            assign(s.target(), applyBodyFilter(s.filter(), body.toString(), f), f);
        } else if (n instanceof Node.FilterBlock fb) {
            StringBuilder body = new StringBuilder();
            renderAll(fb.body(), new Frame(f), body);
            out.append(Py.str(applyBodyFilter(fb.filter(), body.toString(), f)));
        } else if (n instanceof Node.Macro m) {
            f.vars.put(m.name(), new Macro(m.name(), m.params(), m.defaults(), m.body(), f));
        } else if (n instanceof Node.CallBlock c) {
            Node.Call call = (Node.Call) c.call();
            Macro caller = new Macro("caller", c.params(), c.defaults(), c.body(), f);
            Object fn = eval(call.fn(), f);
            List<Object> args = new ArrayList<>();
            Map<String, Object> kwargs = new LinkedHashMap<>();
            evalArgs(call.args(), f, args, kwargs);
            kwargs.put("caller", caller);
            out.append(Py.str(callValue(fn, args, kwargs)));
        } else if (n instanceof Node.With w) {
            Frame child = new Frame(f);
            for (int k = 0; k < w.targets().size(); k++) {
                assign(w.targets().get(k), eval(w.values().get(k), f), child);
            }
            renderAll(w.body(), child, out);
        } else if (n instanceof Node.Generation g) {
            renderAll(g.body(), f, out);
        } else if (n instanceof Node.Break) {
            throw BREAK;
        } else if (n instanceof Node.Continue) {
            throw CONTINUE;
        } else {
            throw new JinjaException("cannot render " + n.getClass().getSimpleName());
        }
    }

    private Object applyBodyFilter(Expr filter, String body, Frame f) {
        if (filter == null) {
            return body;
        }
        Frame child = new Frame(f);
        child.vars.put("__body", body);
        return eval(filter, child);
    }

    private void renderFor(Node.For loop, Frame f, StringBuilder out) {
        List<Object> items = Py.iterate(eval(loop.iter(), f));
        if (loop.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Frame probe = new Frame(f);
                assign(loop.target(), item, probe);
                if (Py.truthy(eval(loop.filter(), probe))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            renderAll(loop.otherwise(), new Frame(f), out);
            return;
        }
        Loop ctx = new Loop(items);
        for (int i = 0; i < items.size(); i++) {
            ctx.index0 = i;
            Frame child = new Frame(f);
            child.vars.put("loop", ctx);
            assign(loop.target(), items.get(i), child);
            try {
                renderAll(loop.body(), child, out);
            } catch (ContinueSignal c) {
                // next item
            } catch (BreakSignal b) {
                break;
            }
        }
    }

    private void assign(Expr target, Object value, Frame f) {
        if (target instanceof Node.Name n) {
            f.vars.put(n.name(), value);
        } else if (target instanceof Node.Getattr g) {
            Object obj = eval(g.obj(), f);
            if (!(obj instanceof Namespace ns)) {
                throw new JinjaException("cannot assign attribute on non-namespace object");
            }
            ns.attrs.put(g.attr(), value);
        } else if (target instanceof Node.TupleLit t) {
            List<Object> values = Py.iterate(value);
            if (values.size() != t.items().size()) {
                throw new JinjaException((values.size() > t.items().size() ? "too many" : "not enough")
                        + " values to unpack (expected " + t.items().size() + ", got " + values.size() + ")");
            }
            for (int i = 0; i < values.size(); i++) {
                assign(t.items().get(i), values.get(i), f);
            }
        } else {
            throw new JinjaException("cannot assign to " + target.getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------- expressions

    private Object eval(Expr e, Frame f) {
        if (e instanceof Node.Const c) {
            return c.value();
        }
        if (e instanceof Node.Name n) {
            Object v = f.lookup(n.name());
            return v == MISSING ? Undefined.name(n.name(), env.strict()) : v;
        }
        if (e instanceof Node.Getattr g) {
            return env.getattr(eval(g.obj(), f), g.attr());
        }
        if (e instanceof Node.Getitem g) {
            return env.getitem(eval(g.obj(), f), eval(g.key(), f));
        }
        if (e instanceof Node.Slice s) {
            return new Py.Slice(index(s.start(), f), index(s.stop(), f), index(s.step(), f));
        }
        if (e instanceof Node.Call c) {
            Object fn = eval(c.fn(), f);
            List<Object> args = new ArrayList<>();
            Map<String, Object> kwargs = new LinkedHashMap<>();
            evalArgs(c.args(), f, args, kwargs);
            return callValue(fn, args, kwargs);
        }
        if (e instanceof Node.Filter flt) {
            Object value = eval(flt.value(), f);
            List<Object> args = new ArrayList<>();
            Map<String, Object> kwargs = new LinkedHashMap<>();
            evalArgs(flt.args(), f, args, kwargs);
            return env.filter(flt.name()).apply(env, value, args, kwargs);
        }
        if (e instanceof Node.Test t) {
            Object value = eval(t.value(), f);
            List<Object> args = new ArrayList<>();
            Map<String, Object> kwargs = new LinkedHashMap<>();
            evalArgs(t.args(), f, args, kwargs);
            boolean r = Py.truthy(env.test(t.name()).apply(env, value, args, kwargs));
            return t.negated() != r;
        }
        if (e instanceof Node.Unary u) {
            Object v = eval(u.operand(), f);
            if (u.op().equals("not")) {
                return !Py.truthy(v);
            }
            if (u.op().equals("-")) {
                return Py.negate(v);
            }
            if (!Py.isNumber(v)) {
                throw new JinjaException("bad operand type for unary +: '" + Py.typeName(v) + "'");
            }
            return v;
        }
        if (e instanceof Node.Binary b) {
            return binary(b, f);
        }
        if (e instanceof Node.Compare c) {
            return compare(c, f);
        }
        if (e instanceof Node.CondExpr c) {
            if (Py.truthy(eval(c.test(), f))) {
                return eval(c.then(), f);
            }
            return c.otherwise() == null
                    ? env.undefined("the inline if-expression on line " + c.line()
                            + " evaluated to false and no else section was defined.")
                    : eval(c.otherwise(), f);
        }
        if (e instanceof Node.ListLit l) {
            List<Object> out = new ArrayList<>();
            l.items().forEach(x -> out.add(eval(x, f)));
            return out;
        }
        if (e instanceof Node.TupleLit t) {
            List<Object> out = new ArrayList<>();
            t.items().forEach(x -> out.add(eval(x, f)));
            return new PyTuple(out);
        }
        Node.DictLit d = (Node.DictLit) e;
        Map<Object, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < d.keys().size(); i++) {
            out.put(eval(d.keys().get(i), f), eval(d.values().get(i), f));
        }
        return out;
    }

    private Long index(Expr e, Frame f) {
        if (e == null) {
            return null;
        }
        Object v = eval(e, f);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Long) && !(v instanceof Boolean)) {
            throw new JinjaException("slice indices must be integers or None, not " + Py.typeName(v));
        }
        return Py.toLong(v);
    }

    private void evalArgs(Args a, Frame f, List<Object> args, Map<String, Object> kwargs) {
        for (Expr x : a.positional()) {
            args.add(eval(x, f));
        }
        for (int i = 0; i < a.names().size(); i++) {
            kwargs.put(a.names().get(i), eval(a.named().get(i), f));
        }
    }

    private Object callValue(Object fn, List<Object> args, Map<String, Object> kwargs) {
        if (fn instanceof PyCallable c) {
            return c.call(args, kwargs);
        }
        if (fn instanceof Undefined u) {
            throw u.fail();
        }
        throw new JinjaException("'" + Py.typeName(fn) + "' object is not callable");
    }

    private Object binary(Node.Binary b, Frame f) {
        Object left = eval(b.left(), f);
        switch (b.op()) {
            case "and" -> {
                return Py.truthy(left) ? eval(b.right(), f) : left;
            }
            case "or" -> {
                return Py.truthy(left) ? left : eval(b.right(), f);
            }
            case "~" -> {
                return Py.str(left) + Py.str(eval(b.right(), f));
            }
            default -> {
                return Py.binary(b.op(), left, eval(b.right(), f));
            }
        }
    }

    private Object compare(Node.Compare c, Frame f) {
        Object left = eval(c.operands().get(0), f);
        for (int i = 0; i < c.ops().size(); i++) {
            Object right = eval(c.operands().get(i + 1), f);
            String op = c.ops().get(i);
            boolean ok = switch (op) {
                case "==" -> Py.eq(left, right);
                case "!=" -> !Py.eq(left, right);
                case "in" -> Py.contains(right, left);
                case "notin" -> !Py.contains(right, left);
                case "<" -> Py.compare(left, right, op) < 0;
                case "<=" -> Py.compare(left, right, op) <= 0;
                case ">" -> Py.compare(left, right, op) > 0;
                default -> Py.compare(left, right, op) >= 0;
            };
            if (!ok) {
                return false;
            }
            left = right;
        }
        return true;
    }
}
