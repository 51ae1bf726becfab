package dev.chimera.demo;

import com.typesafe.config.Config;
import dev.chimera.zoo.ZooSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * What {@link Demo#run} does. Null fields take their defaults: the zoo folder {@code ZooBuilder.defaultDir}, the run
 * folder {@code ./chimera-demo/<mode>-seed<S>-<time>}, budget and n from the run file template, the devices of the
 * template, the node's configured control port (any free one when taken) and the default node config.
 *
 * @param zooSpec the zoo to build or reuse ({@link ZooSpec#defaults()} for the real demo, {@link ZooSpec#tiny()} in tests)
 * @param seed zoo seed, also the run's seed unless {@code runSeed} is given
 * @param multiObjective NSGA-II over the two skills instead of CMA-ES on the target
 * @param budget candidates the search evaluates
 * @param n items per candidate and objective
 * @param controlPort HTTP control port of the in-process node, 0 = any free, -1 = off
 * @param estimatorCheck how many of the best candidates are re-scored on the whole search split (single objective:
 *     the best of them there is the evolved merge)
 * @param paretoHeldOut at most this many Pareto members are scored on the held-out skill tests (multi-objective)
 * @param responseCache where the extract stage caches the parents' answers (null: the run file's default)
 * @param out the report and phase messages
 * @param progress the live status line of the run and the evaluation progress
 * @param runSeed the run's seed (search, item order) when it differs from the zoo seed (null: the zoo seed)
 * @param template a run file template of one's own, with the built-in one's {{fields}} (null: the built-in one)
 */
public record DemoOptions(
        ZooSpec zooSpec,
        long seed,
        Path zooDir,
        Path runDir,
        boolean multiObjective,
        Integer budget,
        Integer n,
        List<String> devices,
        Integer controlPort,
        Config nodeConfig,
        int estimatorCheck,
        int paretoHeldOut,
        Path responseCache,
        PrintStream out,
        PrintStream progress,
        Long runSeed,
        Path template) {
    public static DemoOptions defaults() {
        return new DemoOptions(
                ZooSpec.defaults(),
                0,
                null,
                null,
                false,
                null,
                null,
                null,
                null,
                null,
                10,
                6,
                null,
                System.out,
                System.err,
                null,
                null);
    }

    /** The record's fields as a mutable copy: each {@code with} changes one and builds the new record. */
    private static final class Fields {
        ZooSpec zooSpec;
        long seed;
        Path zooDir;
        Path runDir;
        boolean multiObjective;
        Integer budget;
        Integer n;
        List<String> devices;
        Integer controlPort;
        Config nodeConfig;
        int estimatorCheck;
        int paretoHeldOut;
        Path responseCache;
        PrintStream out;
        PrintStream progress;
        Long runSeed;
        Path template;

        Fields(DemoOptions o) {
            zooSpec = o.zooSpec;
            seed = o.seed;
            zooDir = o.zooDir;
            runDir = o.runDir;
            multiObjective = o.multiObjective;
            budget = o.budget;
            n = o.n;
            devices = o.devices;
            controlPort = o.controlPort;
            nodeConfig = o.nodeConfig;
            estimatorCheck = o.estimatorCheck;
            paretoHeldOut = o.paretoHeldOut;
            responseCache = o.responseCache;
            out = o.out;
            progress = o.progress;
            runSeed = o.runSeed;
            template = o.template;
        }

        DemoOptions build() {
            return new DemoOptions(
                    zooSpec,
                    seed,
                    zooDir,
                    runDir,
                    multiObjective,
                    budget,
                    n,
                    devices,
                    controlPort,
                    nodeConfig,
                    estimatorCheck,
                    paretoHeldOut,
                    responseCache,
                    out,
                    progress,
                    runSeed,
                    template);
        }
    }

    private DemoOptions with(Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return f.build();
    }

    public DemoOptions withZooSpec(ZooSpec s) {
        return with(f -> f.zooSpec = s);
    }

    public DemoOptions withSeed(long s) {
        return with(f -> f.seed = s);
    }

    public DemoOptions withZooDir(Path d) {
        return with(f -> f.zooDir = d);
    }

    public DemoOptions withRunDir(Path d) {
        return with(f -> f.runDir = d);
    }

    public DemoOptions withMultiObjective(boolean m) {
        return with(f -> f.multiObjective = m);
    }

    public DemoOptions withBudget(Integer b) {
        return with(f -> f.budget = b);
    }

    public DemoOptions withN(Integer items) {
        return with(f -> f.n = items);
    }

    public DemoOptions withDevices(List<String> d) {
        return with(f -> f.devices = d);
    }

    public DemoOptions withControlPort(Integer p) {
        return with(f -> f.controlPort = p);
    }

    public DemoOptions withNodeConfig(Config c) {
        return with(f -> f.nodeConfig = c);
    }

    public DemoOptions withEstimatorCheck(int k) {
        return with(f -> f.estimatorCheck = k);
    }

    public DemoOptions withParetoHeldOut(int k) {
        return with(f -> f.paretoHeldOut = k);
    }

    public DemoOptions withResponseCache(Path c) {
        return with(f -> f.responseCache = c);
    }

    public DemoOptions withOutput(PrintStream o, PrintStream p) {
        return with(f -> {
            f.out = o;
            f.progress = p;
        });
    }

    public DemoOptions withRunSeed(Long s) {
        return with(f -> f.runSeed = s);
    }

    public DemoOptions withTemplate(Path t) {
        return with(f -> f.template = t);
    }

    /** The run's seed: {@code runSeed}, else the zoo seed. */
    public long effectiveRunSeed() {
        return runSeed != null ? runSeed : seed;
    }
}
