package dev.chimera.search;

import java.util.List;

/**
 * An optimizer that hands out one {@link Generation} at a time: all of it can be asked for at once, and the next one
 * is built only when every result of the current one is in, from those results by index, so tell order never
 * matters. A subclass says how to build the first and the next generation and what to keep of each result.
 */
abstract class GenerationalOptimizer extends AbstractOptimizer {
    /** The generation being handed out and told; a subclass writes and reads it in its snapshot state. */
    Generation current;

    GenerationalOptimizer(String name, int version, Bounds bounds, int objectives, Rng rng) {
        super(name, version, bounds, objectives, rng);
    }

    /** The first generation of a new run, ids from 0. */
    abstract Generation first();

    /** A told result, before the generation may complete: keep the best (or the archive) up to date. */
    abstract void result(Evaluation e);

    /** The next generation, from the complete {@link #current} one; counts the generation. */
    abstract Generation next();

    @Override
    final void start() {
        current = first();
    }

    @Override
    public final synchronized List<Candidate> ask(int max) {
        return current.ask(max);
    }

    @Override
    final Evaluation accept(long id, double[] values) {
        return current.tell(id, values);
    }

    @Override
    final void told(Evaluation e) {
        result(e);
        if (current.complete()) {
            current = next();
        }
    }
}
