package dev.chimera.demo;

import com.typesafe.config.Config;
import dev.chimera.zoo.ZooSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

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

    public DemoOptions withZooSpec(ZooSpec s) {
        return new DemoOptions(
                s,
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

    public DemoOptions withSeed(long s) {
        return new DemoOptions(
                zooSpec,
                s,
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

    public DemoOptions withZooDir(Path d) {
        return new DemoOptions(
                zooSpec,
                seed,
                d,
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

    public DemoOptions withRunDir(Path d) {
        return new DemoOptions(
                zooSpec,
                seed,
                zooDir,
                d,
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

    public DemoOptions withMultiObjective(boolean m) {
        return new DemoOptions(
                zooSpec,
                seed,
                zooDir,
                runDir,
                m,
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

    public DemoOptions withBudget(Integer b) {
        return new DemoOptions(
                zooSpec,
                seed,
                zooDir,
                runDir,
                multiObjective,
                b,
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

    public DemoOptions withN(Integer items) {
        return new DemoOptions(
                zooSpec,
                seed,
                zooDir,
                runDir,
                multiObjective,
                budget,
                items,
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

    public DemoOptions withDevices(List<String> d) {
        return new DemoOptions(
                zooSpec,
                seed,
                zooDir,
                runDir,
                multiObjective,
                budget,
                n,
                d,
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

    public DemoOptions withControlPort(Integer p) {
        return new DemoOptions(
                zooSpec,
                seed,
                zooDir,
                runDir,
                multiObjective,
                budget,
                n,
                devices,
                p,
                nodeConfig,
                estimatorCheck,
                paretoHeldOut,
                responseCache,
                out,
                progress,
                runSeed,
                template);
    }

    public DemoOptions withNodeConfig(Config c) {
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
                c,
                estimatorCheck,
                paretoHeldOut,
                responseCache,
                out,
                progress,
                runSeed,
                template);
    }

    public DemoOptions withEstimatorCheck(int k) {
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
                k,
                paretoHeldOut,
                responseCache,
                out,
                progress,
                runSeed,
                template);
    }

    public DemoOptions withParetoHeldOut(int k) {
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
                k,
                responseCache,
                out,
                progress,
                runSeed,
                template);
    }

    public DemoOptions withResponseCache(Path c) {
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
                c,
                out,
                progress,
                runSeed,
                template);
    }

    public DemoOptions withOutput(PrintStream o, PrintStream p) {
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
                o,
                p,
                runSeed,
                template);
    }

    public DemoOptions withRunSeed(Long s) {
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
                s,
                template);
    }

    /** The run's seed: {@code runSeed}, else the zoo seed. */
    public long effectiveRunSeed() {
        return runSeed != null ? runSeed : seed;
    }

    public DemoOptions withTemplate(Path t) {
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
                t);
    }
}
