package dev.chimera.jinja;

import dev.chimera.jinja.Node.Args;
import dev.chimera.jinja.Node.Expr;
import dev.chimera.jinja.Token.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Jinja2's parser (jinja2/parser.py, 3.1): the same grammar and precedence, for the statements templates use. */
final class Parser {
    private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final List<Token> tokens;
    private int i;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(List<Token> tokens) {
        Parser p = new Parser(tokens);
        List<Node> body = p.subparse(Set.of());
        if (p.cur().kind() != Kind.EOF) {
            Token t = p.cur();
            throw p.fail(t, "unexpected '" + p.peekTagName() + "'");
        }
        return body;
    }

    private Token cur() {
        return tokens.get(i);
    }

    private Token look() {
        return tokens.get(Math.min(i + 1, tokens.size() - 1));
    }

    private Token next() {
        return tokens.get(i++);
    }

    private JinjaException fail(Token t, String message) {
        return new JinjaException("template syntax error, line " + t.line() + ": " + message);
    }

    private static String describe(Token t) {
        return switch (t.kind()) {
            case EOF -> "end of template";
            case VAR_END -> "end of print statement";
            case BLOCK_END -> "end of statement block";
            default -> t.value();
        };
    }

    private Token expectOp(String op) {
        Token t = cur();
        if (!t.isOp(op)) {
            throw fail(t, "expected '" + op + "', got '" + describe(t) + "'");
        }
        return next();
    }

    private Token expectName() {
        Token t = cur();
        if (t.kind() != Kind.NAME) {
            throw fail(t, "expected a name, got '" + describe(t) + "'");
        }
        return next();
    }

    private void expectName(String name) {
        Token t = cur();
        if (!t.isName(name)) {
            throw fail(t, "expected '" + name + "', got '" + describe(t) + "'");
        }
        next();
    }

    private void expectKind(Kind k) {
        Token t = cur();
        if (t.kind() != k) {
            throw fail(t, "expected " + k + ", got '" + describe(t) + "'");
        }
        next();
    }

    private boolean skipName(String name) {
        if (cur().isName(name)) {
            i++;
            return true;
        }
        return false;
    }

    private boolean skipOp(String op) {
        if (cur().isOp(op)) {
            i++;
            return true;
        }
        return false;
    }

    private String peekTagName() {
        Token t = cur();
        return t.kind() == Kind.BLOCK_BEGIN ? look().value() : describe(t);
    }

    // ---------------------------------------------------------------- statements

    /** Parses until a block tag whose name is in {@code end} (left unconsumed at its name) or EOF. */
    private List<Node> subparse(Set<String> end) {
        List<Node> body = new ArrayList<>();
        while (cur().kind() != Kind.EOF) {
            Token t = cur();
            switch (t.kind()) {
                case DATA -> {
                    body.add(new Node.Text(t.value(), t.line()));
                    next();
                }
                case VAR_BEGIN -> {
                    next();
                    body.add(new Node.Print(parseTuple(Set.of(), false), t.line()));
                    expectKind(Kind.VAR_END);
                }
                case BLOCK_BEGIN -> {
                    next();
                    Token name = cur();
                    if (name.kind() == Kind.NAME && end.contains(name.value())) {
                        return body;
                    }
                    body.add(statement());
                }
                default -> throw fail(t, "unexpected '" + describe(t) + "'");
            }
        }
        if (!end.isEmpty()) {
            throw new JinjaException("template syntax error: unexpected end of template, expected one of " + end);
        }
        return body;
    }

    /** Parses the statements up to one of the end tags; leaves the cursor on that tag's name. */
    private List<Node> statements(Set<String> end) {
        expectKind(Kind.BLOCK_END);
        return subparse(end);
    }

    /** Consumes the end tag's name and the tag's end. */
    private void endTag(String name) {
        expectName(name);
        expectKind(Kind.BLOCK_END);
    }

    private Node statement() {
        Token t = cur();
        if (t.kind() != Kind.NAME) {
            throw fail(t, "tag name expected");
        }
        return switch (t.value()) {
            case "if" -> parseIf();
            case "for" -> parseFor();
            case "set" -> parseSet();
            case "macro" -> parseMacro();
            case "call" -> parseCallBlock();
            case "filter" -> parseFilterBlock();
            case "with" -> parseWith();
            case "generation" -> {
                next();
                List<Node> body = statements(Set.of("endgeneration"));
                endTag("endgeneration");
                yield new Node.Generation(body, t.line());
            }
            case "break", "continue" -> {
                next();
                expectKind(Kind.BLOCK_END);
                yield t.value().equals("break") ? new Node.Break(t.line()) : new Node.Continue(t.line());
            }
            case "include", "import", "from", "extends", "block" ->
                throw fail(t, "'" + t.value() + "' is not supported: a template here is a single string");
            default -> throw fail(t, "unknown tag '" + t.value() + "'");
        };
    }

    private Node parseIf() {
        int line = next().line();
        List<Expr> tests = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        tests.add(parseTupleNoCond(Set.of()));
        while (true) {
            bodies.add(statements(Set.of("elif", "else", "endif")));
            String tag = next().value();
            if (tag.equals("elif")) {
                tests.add(parseTupleNoCond(Set.of()));
            } else if (tag.equals("else")) {
                List<Node> otherwise = statements(Set.of("endif"));
                endTag("endif");
                return new Node.If(tests, bodies, otherwise, line);
            } else {
                expectKind(Kind.BLOCK_END);
                return new Node.If(tests, bodies, List.of(), line);
            }
        }
    }

    private Node parseFor() {
        int line = next().line();
        Expr target = assignTarget(Set.of("in"), false);
        expectName("in");
        Expr iter = parseTupleNoCond(Set.of("recursive"));
        Expr filter = skipName("if") ? parseExpression() : null;
        if (cur().isName("recursive")) {
            throw fail(cur(), "recursive for loops are not supported");
        }
        List<Node> body = statements(Set.of("endfor", "else"));
        List<Node> otherwise = List.of();
        if (next().value().equals("else")) {
            otherwise = statements(Set.of("endfor"));
            next();
        }
        expectKind(Kind.BLOCK_END);
        return new Node.For(target, iter, filter, body, otherwise, line);
    }

    private Node parseSet() {
        int line = next().line();
        Expr target = assignTarget(Set.of(), true);
        if (skipOp("=")) {
            Expr value = parseTuple(Set.of(), false);
            expectKind(Kind.BLOCK_END);
            return new Node.Set(target, value, line);
        }
        Expr filter = cur().isOp("|") ? filters(new Node.Name("__body", line)) : null;
        List<Node> body = statements(Set.of("endset"));
        endTag("endset");
        return new Node.SetBlock(target, filter, body, line);
    }

    private Node parseMacro() {
        int line = next().line();
        String name = expectName().value();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        signature(params, defaults);
        List<Node> body = statements(Set.of("endmacro"));
        endTag("endmacro");
        return new Node.Macro(name, params, defaults, body, line);
    }

    private void signature(List<String> params, List<Expr> defaults) {
        expectOp("(");
        while (!cur().isOp(")")) {
            if (!params.isEmpty()) {
                expectOp(",");
            }
            Token p = expectName();
            params.add(p.value());
            if (skipOp("=")) {
                defaults.add(parseExpression());
            } else if (!defaults.isEmpty()) {
                throw fail(p, "non-default argument follows default argument");
            }
        }
        expectOp(")");
    }

    private Node parseCallBlock() {
        int line = next().line();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (cur().isOp("(")) {
            signature(params, defaults);
        }
        Expr call = parseExpression();
        if (!(call instanceof Node.Call)) {
            throw fail(cur(), "expected call");
        }
        List<Node> body = statements(Set.of("endcall"));
        endTag("endcall");
        return new Node.CallBlock(call, params, defaults, body, line);
    }

    private Node parseFilterBlock() {
        int line = next().line();
        Expr filter = filterChain(new Node.Name("__body", line));
        List<Node> body = statements(Set.of("endfilter"));
        endTag("endfilter");
        return new Node.FilterBlock(filter, body, line);
    }

    private Node parseWith() {
        int line = next().line();
        List<Expr> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (cur().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expectOp(",");
            }
            targets.add(assignTarget(Set.of(), false));
            expectOp("=");
            values.add(parseExpression());
        }
        List<Node> body = statements(Set.of("endwith"));
        endTag("endwith");
        return new Node.With(targets, values, body, line);
    }

    /** A name, a namespace attribute ({@code ns.x}, when allowed) or a tuple of names. */
    private Expr assignTarget(Set<String> extraEnd, boolean withNamespace) {
        Token t = cur();
        if (withNamespace && t.kind() == Kind.NAME && look().isOp(".")) {
            next();
            next();
            return new Node.Getattr(
                    new Node.Name(t.value(), t.line()), expectName().value(), t.line());
        }
        List<Expr> names = new ArrayList<>();
        boolean tuple = false;
        while (true) {
            if (!names.isEmpty()) {
                expectOp(",");
            }
            if (isTupleEnd(extraEnd) || cur().isOp("=")) {
                break;
            }
            if (cur().isOp("(")) {
                next();
                names.add(assignTarget(Set.of(), false));
                expectOp(")");
            } else {
                Token n = expectName();
                names.add(new Node.Name(n.value(), n.line()));
            }
            if (cur().isOp(",")) {
                tuple = true;
            } else {
                break;
            }
        }
        if (names.isEmpty()) {
            throw fail(t, "can't assign to nothing");
        }
        return tuple ? new Node.TupleLit(names, t.line()) : names.get(0);
    }

    // ---------------------------------------------------------------- expressions

    private boolean isTupleEnd(Set<String> extraEnd) {
        Token t = cur();
        return t.kind() == Kind.VAR_END
                || t.kind() == Kind.BLOCK_END
                || t.isOp(")")
                || (t.kind() == Kind.NAME && extraEnd.contains(t.value()));
    }

    private Expr parseTupleNoCond(Set<String> extraEnd) {
        return tuple(extraEnd, false, false);
    }

    /** {@code a, b, c} (or one expression); an empty tuple only in explicit parentheses. */
    private Expr parseTuple(Set<String> extraEnd, boolean explicitParens) {
        return tuple(extraEnd, true, explicitParens);
    }

    private Expr tuple(Set<String> extraEnd, boolean withCond, boolean explicitParens) {
        int line = cur().line();
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOp(",");
            }
            if (isTupleEnd(extraEnd)) {
                break;
            }
            items.add(withCond ? parseExpression() : parseOr());
            if (cur().isOp(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.get(0);
            }
            if (!explicitParens) {
                throw fail(cur(), "expected an expression, got '" + describe(cur()) + "'");
            }
        }
        return new Node.TupleLit(items, line);
    }

    private Expr parseExpression() {
        int line = cur().line();
        Expr expr = parseOr();
        while (skipName("if")) {
            Expr test = parseOr();
            Expr otherwise = skipName("else") ? parseExpression() : null;
            expr = new Node.CondExpr(test, expr, otherwise, line);
            line = cur().line();
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (cur().isName("or")) {
            int line = next().line();
            left = new Node.Binary("or", left, parseAnd(), line);
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (cur().isName("and")) {
            int line = next().line();
            left = new Node.Binary("and", left, parseNot(), line);
        }
        return left;
    }

    private Expr parseNot() {
        if (cur().isName("not")) {
            int line = next().line();
            return new Node.Unary("not", parseNot(), line);
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = cur().line();
        Expr first = parseMath1();
        List<Expr> operands = new ArrayList<>(List.of(first));
        List<String> ops = new ArrayList<>();
        while (true) {
            Token t = cur();
            if (t.kind() == Kind.OP && COMPARE.contains(t.value())) {
                next();
                ops.add(t.value());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && look().isName("in")) {
                i += 2;
                ops.add("notin");
            } else {
                break;
            }
            operands.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Node.Compare(operands, ops, line);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (cur().isOp("+") || cur().isOp("-")) {
            Token op = next();
            left = new Node.Binary(op.value(), left, parseConcat(), op.line());
        }
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        while (cur().isOp("~")) {
            Token op = next();
            left = new Node.Binary("~", left, parseMath2(), op.line());
        }
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (cur().isOp("*") || cur().isOp("/") || cur().isOp("//") || cur().isOp("%")) {
            Token op = next();
            left = new Node.Binary(op.value(), left, parsePow(), op.line());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (cur().isOp("**")) {
            Token op = next();
            left = new Node.Binary("**", left, parseUnary(true), op.line());
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = cur();
        Expr node;
        if (t.isOp("-") || t.isOp("+")) {
            next();
            node = new Node.Unary(t.value(), parseUnary(false), t.line());
        } else {
            node = parsePrimary();
        }
        node = postfix(node);
        return withFilter ? filterExpr(node) : node;
    }

    private Expr parsePrimary() {
        Token t = cur();
        switch (t.kind()) {
            case NAME -> {
                next();
                return switch (t.value()) {
                    case "true", "True" -> new Node.Const(Boolean.TRUE, t.line());
                    case "false", "False" -> new Node.Const(Boolean.FALSE, t.line());
                    case "none", "None" -> new Node.Const(null, t.line());
                    default -> new Node.Name(t.value(), t.line());
                };
            }
            case STRING -> {
                StringBuilder b = new StringBuilder();
                while (cur().kind() == Kind.STRING) {
                    b.append(next().value());
                }
                return new Node.Const(b.toString(), t.line());
            }
            case INT -> {
                next();
                return new Node.Const(parseInt(t.value()), t.line());
            }
            case FLOAT -> {
                next();
                return new Node.Const(Double.parseDouble(t.value()), t.line());
            }
            case OP -> {
                if (t.isOp("(")) {
                    next();
                    Expr e = parseTuple(Set.of(), true);
                    expectOp(")");
                    return e;
                }
                if (t.isOp("[")) {
                    next();
                    List<Expr> items = new ArrayList<>();
                    while (!cur().isOp("]")) {
                        if (!items.isEmpty()) {
                            expectOp(",");
                        }
                        if (cur().isOp("]")) {
                            break;
                        }
                        items.add(parseExpression());
                    }
                    expectOp("]");
                    return new Node.ListLit(items, t.line());
                }
                if (t.isOp("{")) {
                    next();
                    List<Expr> keys = new ArrayList<>();
                    List<Expr> values = new ArrayList<>();
                    while (!cur().isOp("}")) {
                        if (!keys.isEmpty()) {
                            expectOp(",");
                        }
                        if (cur().isOp("}")) {
                            break;
                        }
                        keys.add(parseExpression());
                        expectOp(":");
                        values.add(parseExpression());
                    }
                    expectOp("}");
                    return new Node.DictLit(keys, values, t.line());
                }
                throw fail(t, "unexpected '" + describe(t) + "'");
            }
            default -> throw fail(t, "unexpected '" + describe(t) + "'");
        }
    }

    private static Object parseInt(String text) {
        String s = text.toLowerCase();
        BigInteger v;
        if (s.startsWith("0x")) {
            v = new BigInteger(s.substring(2), 16);
        } else if (s.startsWith("0o")) {
            v = new BigInteger(s.substring(2), 8);
        } else if (s.startsWith("0b")) {
            v = new BigInteger(s.substring(2), 2);
        } else {
            v = new BigInteger(s);
        }
        return v.longValueExact();
    }

    private Expr postfix(Expr node) {
        while (true) {
            Token t = cur();
            if (t.isOp(".") || t.isOp("[")) {
                node = subscript(node);
            } else if (t.isOp("(")) {
                node = new Node.Call(node, callArgs(), t.line());
            } else {
                return node;
            }
        }
    }

    private Expr filterExpr(Expr node) {
        while (true) {
            Token t = cur();
            if (t.isOp("|")) {
                node = filters(node);
            } else if (t.isName("is")) {
                node = test(node);
            } else if (t.isOp("(")) {
                node = new Node.Call(node, callArgs(), t.line());
            } else {
                return node;
            }
        }
    }

    private Expr subscript(Expr node) {
        Token t = next();
        if (t.isOp(".")) {
            Token attr = next();
            if (attr.kind() == Kind.NAME) {
                return new Node.Getattr(node, attr.value(), t.line());
            }
            if (attr.kind() != Kind.INT) {
                throw fail(attr, "expected name or number");
            }
            return new Node.Getitem(node, new Node.Const(parseInt(attr.value()), attr.line()), t.line());
        }
        List<Expr> args = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!args.isEmpty()) {
                expectOp(",");
            }
            args.add(subscribed());
        }
        expectOp("]");
        Expr key = args.size() == 1 ? args.get(0) : new Node.TupleLit(args, t.line());
        return new Node.Getitem(node, key, t.line());
    }

    private Expr subscribed() {
        int line = cur().line();
        Expr start = null;
        if (cur().isOp(":")) {
            next();
        } else {
            Expr e = parseExpression();
            if (!cur().isOp(":")) {
                return e;
            }
            next();
            start = e;
        }
        Expr stop = null;
        if (!cur().isOp(":") && !cur().isOp("]") && !cur().isOp(",")) {
            stop = parseExpression();
        }
        Expr step = null;
        if (skipOp(":") && !cur().isOp("]") && !cur().isOp(",")) {
            step = parseExpression();
        }
        return new Node.Slice(start, stop, step, line);
    }

    private Args callArgs() {
        Token open = expectOp("(");
        List<Expr> positional = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> named = new ArrayList<>();
        boolean requireComma = false;
        while (!cur().isOp(")")) {
            if (requireComma) {
                expectOp(",");
                if (cur().isOp(")")) {
                    break;
                }
            }
            if (cur().isOp("*") || cur().isOp("**")) {
                throw fail(cur(), "*args and **kwargs in calls are not supported");
            }
            if (cur().kind() == Kind.NAME && look().isOp("=")) {
                names.add(next().value());
                next();
                named.add(parseExpression());
            } else {
                if (!names.isEmpty()) {
                    throw fail(open, "invalid syntax for function call expression");
                }
                positional.add(parseExpression());
            }
            requireComma = true;
        }
        expectOp(")");
        return new Args(positional, names, named);
    }

    /** One or more {@code |name(args)} filters applied to {@code node}. */
    private Expr filters(Expr node) {
        while (cur().isOp("|")) {
            next();
            node = oneFilter(node);
        }
        return node;
    }

    /** A filter block's chain: {@code name(args)|name2...} without a leading pipe. */
    private Expr filterChain(Expr node) {
        node = oneFilter(node);
        return filters(node);
    }

    private Expr oneFilter(Expr node) {
        Token name = expectName();
        String n = name.value();
        while (cur().isOp(".")) {
            next();
            n += "." + expectName().value();
        }
        Args args = cur().isOp("(") ? callArgs() : Args.NONE;
        return new Node.Filter(node, n, args, name.line());
    }

    private Expr test(Expr node) {
        Token is = next();
        boolean negated = skipName("not");
        String name = expectName().value();
        while (cur().isOp(".")) {
            next();
            name += "." + expectName().value();
        }
        Args args;
        Token t = cur();
        if (t.isOp("(")) {
            args = callArgs();
        } else if ((t.kind() == Kind.NAME
                        || t.kind() == Kind.STRING
                        || t.kind() == Kind.INT
                        || t.kind() == Kind.FLOAT
                        || t.isOp("[")
                        || t.isOp("{"))
                && !t.isName("else")
                && !t.isName("or")
                && !t.isName("and")) {
            if (t.isName("is")) {
                throw fail(t, "you cannot chain multiple tests with is");
            }
            Expr arg = postfix(parsePrimary());
            args = new Args(List.of(arg), List.of(), List.of());
        } else {
            args = Args.NONE;
        }
        return new Node.Test(node, name, args, negated, is.line());
    }
}
