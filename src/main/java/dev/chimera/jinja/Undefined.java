package dev.chimera.jinja;

/**
 * Jinja2's {@code Undefined}: renders as nothing, is false, iterates as empty; any attribute of it is an error.
 * The strict kind ({@code StrictUndefined}, lm-eval's) fails on every use except {@code is defined} and
 * {@code default}.
 */
final class Undefined {
    final String hint;
    final boolean strict;

    Undefined(String hint, boolean strict) {
        this.hint = hint;
        this.strict = strict;
    }

    JinjaException fail() {
        return new JinjaException(hint);
    }

    static Undefined name(String name, boolean strict) {
        return new Undefined("'" + name + "' is undefined", strict);
    }
}
