package dev.chimera.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;

/**
 * What every optimizer here has besides its algorithm: name, bounds, objective count, random generator, the
 * evaluation and generation counters, the {@link #tell} skeleton of the {@link Optimizer} contract (check the
 * values, ignore ids not pending, count), the common part of the snapshot, and a {@link Factory} that builds a new
 * run and a restored one through the same constructor, so settings are parsed and checked by one piece of code.
 *
 * <p>A subclass's constructor takes {@code (bounds, objectives, settings, rng)}, checks and keeps the settings and
 * draws nothing; {@link #start()} then draws the first candidates of a new run. Public methods synchronize on the
 * optimizer; the package-private hooks run inside them, with the lock held.
 */
abstract class AbstractOptimizer implements Optimizer {
    private final String name;
    private final int version;
    final Bounds bounds;
    final int objectives;
    final Rng rng;
    long generation;
    long evaluations;

    AbstractOptimizer(String name, int version, Bounds bounds, int objectives, Rng rng) {
        this.name = name;
        this.version = version;
        this.bounds = bounds;
        this.objectives = objectives;
        this.rng = rng;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Bounds bounds() {
        return bounds;
    }

    @Override
    public final int objectives() {
        return objectives;
    }

    @Override
    public final synchronized long evaluations() {
        return evaluations;
    }

    @Override
    public final synchronized long generation() {
        return generation;
    }

    @Override
    public final synchronized boolean tell(long id, double[] values) {
        if (values == null || values.length != objectives) {
            throw new IllegalArgumentException(name + ": tell needs exactly " + objectives + " objective value"
                    + (objectives == 1 ? "" : "s") + ", got " + (values == null ? "null" : values.length));
        }
        Evaluation e = accept(id, values);
        if (e == null) {
            return false;
        }
        evaluations++;
        told(e);
        return true;
    }

    /** Draws the first candidates of a new run (not called on restore). */
    abstract void start();

    /**
     * Records the result of candidate {@code id} and returns it, or returns null and changes nothing when {@code id}
     * is not pending (never handed out, of a finished generation, or told already).
     */
    abstract Evaluation accept(long id, double[] values);

    /** A result just recorded (and counted): update the best, and advance once the generation is complete. */
    abstract void told(Evaluation e);

    @Override
    public final synchronized ObjectNode snapshot() {
        ObjectNode s = SnapshotJson.F.objectNode();
        s.put("algorithm", name);
        s.put("version", version);
        s.set("bounds", SnapshotJson.bounds(bounds));
        s.put("objectives", objectives);
        s.set("settings", settingsJson());
        s.set("rng", SnapshotJson.rng(rng));
        s.put("generation", generation);
        s.put("evaluations", evaluations);
        writeState(s);
        return s;
    }

    /** The settings with every key resolved, as the constructor reads them back on restore. */
    abstract ObjectNode settingsJson();

    /** The algorithm's state beyond the common fields, pending candidates included. */
    abstract void writeState(ObjectNode s);

    /** Reads back what {@link #writeState} wrote, into an optimizer just built from the snapshot's settings. */
    abstract void readState(JsonNode s);

    /** The constructor of an optimizer class. */
    @FunctionalInterface
    interface Constructor<T extends AbstractOptimizer> {
        T make(Bounds bounds, int objectives, Config settings, Rng rng);
    }

    /** Creates and restores one algorithm; registered in {@link Optimizers}. */
    static class Factory<T extends AbstractOptimizer> implements Optimizers.Factory {
        private final String name;
        private final int version;
        private final Constructor<T> constructor;

        Factory(String name, int version, Constructor<T> constructor) {
            this.name = name;
            this.version = version;
            this.constructor = constructor;
        }

        @Override
        public final String name() {
            return name;
        }

        @Override
        public final T create(Bounds bounds, int objectives, long seed, Config settings) {
            T o = constructor.make(bounds, objectives, settings, new Rng(seed));
            o.start();
            return o;
        }

        @Override
        public final T restore(ObjectNode s) {
            SnapshotJson.requireAlgorithm(s, name, version);
            T o = constructor.make(
                    SnapshotJson.bounds(SnapshotJson.required(s, "bounds")),
                    SnapshotJson.required(s, "objectives").asInt(),
                    SnapshotJson.settings(s.get("settings")),
                    SnapshotJson.rng(s.get("rng")));
            o.generation = SnapshotJson.required(s, "generation").asLong();
            o.evaluations = SnapshotJson.required(s, "evaluations").asLong();
            o.readState(s);
            return o;
        }
    }
}
