package dev.chimera.jinja;

import java.util.List;

/** The template syntax tree; {@code line} is the template line for error messages. */
sealed interface Node {
    int line();

    // ---- expressions
    sealed interface Expr extends Node {}

    record Const(Object value, int line) implements Expr {}

    record Name(String name, int line) implements Expr {}

    record Getattr(Expr obj, String attr, int line) implements Expr {}

    record Getitem(Expr obj, Expr key, int line) implements Expr {}

    /** {@code a[start:stop:step]}; absent parts are null. */
    record Slice(Expr start, Expr stop, Expr step, int line) implements Expr {}

    record Args(List<Expr> positional, List<String> names, List<Expr> named) {
        static final Args NONE = new Args(List.of(), List.of(), List.of());
    }

    record Call(Expr fn, Args args, int line) implements Expr {}

    record Filter(Expr value, String name, Args args, int line) implements Expr {}

    record Test(Expr value, String name, Args args, boolean negated, int line) implements Expr {}

    record Unary(String op, Expr operand, int line) implements Expr {}

    record Binary(String op, Expr left, Expr right, int line) implements Expr {}

    /** A chain {@code a < b <= c}: ops.get(i) compares operands i and i+1. */
    record Compare(List<Expr> operands, List<String> ops, int line) implements Expr {}

    /** {@code a if test else b}; {@code otherwise} null renders undefined. */
    record CondExpr(Expr test, Expr then, Expr otherwise, int line) implements Expr {}

    record ListLit(List<Expr> items, int line) implements Expr {}

    record TupleLit(List<Expr> items, int line) implements Expr {}

    record DictLit(List<Expr> keys, List<Expr> values, int line) implements Expr {}

    // ---- statements
    record Text(String text, int line) implements Node {}

    record Print(Expr expr, int line) implements Node {}

    record If(List<Expr> tests, List<List<Node>> bodies, List<Node> otherwise, int line) implements Node {}

    record For(Expr target, Expr iter, Expr filter, List<Node> body, List<Node> otherwise, int line) implements Node {}

    record Set(Expr target, Expr value, int line) implements Node {}

    /** {@code {% set x %}...{% endset %}}, optionally through filters (a Filter chain on a Name "__body"). */
    record SetBlock(Expr target, Expr filter, List<Node> body, int line) implements Node {}

    record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body, int line) implements Node {}

    record CallBlock(Expr call, List<String> params, List<Expr> defaults, List<Node> body, int line) implements Node {}

    record FilterBlock(Expr filter, List<Node> body, int line) implements Node {}

    record With(List<Expr> targets, List<Expr> values, List<Node> body, int line) implements Node {}

    record Break(int line) implements Node {}

    record Continue(int line) implements Node {}

    /** The transformers {@code {% generation %}} block: its body rendered as is. */
    record Generation(List<Node> body, int line) implements Node {}
}
