package dev.chimera.jinja;

import java.util.List;

/** A Python tuple (lists and tuples print and compare differently). */
record PyTuple(List<Object> items) {
    PyTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }
}
