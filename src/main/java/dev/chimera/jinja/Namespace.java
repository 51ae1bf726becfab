package dev.chimera.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** Jinja2's {@code namespace(...)}: attributes a loop body can assign with {@code set ns.x = ...}. */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();

    @Override
    public String toString() {
        return "<Namespace " + Py.repr(attrs) + ">";
    }
}
