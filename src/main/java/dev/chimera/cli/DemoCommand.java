package dev.chimera.cli;

import dev.chimera.demo.Demo;
import dev.chimera.demo.DemoException;
import dev.chimera.demo.DemoOptions;
import dev.chimera.demo.DemoResult;
import dev.chimera.zoo.ZooSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chimera demo}: the whole pipeline on the self-made zoo (see {@link Demo}). */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Build (or reuse) the model zoo, evolve a merge of its two experts on an in-process node, and compare"
                    + " it with its parents and uniform merges on the held-out test split.",
            "--multi-objective: NSGA-II over both experts' skills; prints the Pareto set and plots it (pareto.svg)."
        })
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "0",
            description = "zoo seed, also the run's seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--template",
            paramLabel = "FILE",
            description = "a run file template of your own instead of the built-in"
                    + " one (the same {{fields}}; docs/demo.md)")
    Path template;

    @Option(
            names = "--run-seed",
            paramLabel = "R",
            description = "the run's seed (search and item order), when it should"
                    + " differ from the zoo seed: several searches on one zoo")
    Long runSeed;

    @Option(
            names = "--zoo",
            paramLabel = "DIR",
            description = "zoo folder (default ~/.cache/chimera/zoo/<recipe-hash>-seed<S>);" + " built when missing")
    Path zoo;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "run folder (default ./chimera-demo/<target|pareto>-seed<S>-<time>);"
                    + " a folder holding this demo is continued")
    Path out;

    @Option(
            names = "--multi-objective",
            description = "NSGA-II: arithmetic in A against counting in B, keeps the Pareto set")
    boolean multiObjective;

    @Option(
            names = "--budget",
            paramLabel = "N",
            description = "candidates the search evaluates (default: the template's demo.budget)")
    Integer budget;

    @Option(
            names = "--n",
            paramLabel = "ITEMS",
            description = "items every candidate answers first (the first fidelity rung;"
                    + " with --multi-objective: the items per objective) (default: the template's demo.n)")
    Integer n;

    @Option(
            names = "--check",
            paramLabel = "K",
            defaultValue = "10",
            description =
                    "runs without multi-fidelity (--multi-objective, fixed-n templates): re-score the K best candidates"
                            + " on the whole search split, measuring the estimator and picking the evolved merge among them (default"
                            + " ${DEFAULT-VALUE}; 0 = the run's best by estimate)")
    int check;

    @Mixin
    LocalNodeOptions local = new LocalNodeOptions();

    @Mixin
    NodeConfigOption config = new NodeConfigOption();

    @Option(
            names = "--zoo-size",
            hidden = true,
            defaultValue = "demo",
            description = "demo, or tiny (a seconds-long zoo, for tests)")
    String zooSize;

    @Option(
            names = "--response-cache",
            hidden = true,
            paramLabel = "DIR",
            description = "where the extract stage caches answers")
    Path responseCache;

    @Override
    public Integer call() {
        ZooSpec spec = switch (zooSize) {
            case "demo" -> ZooSpec.defaults();
            case "tiny" -> ZooSpec.tiny();
            default -> throw new DemoException("--zoo-size " + zooSize + " is unknown (demo or tiny)");
        };
        DemoOptions o = DemoOptions.defaults()
                .withZooSpec(spec)
                .withSeed(seed)
                .withRunSeed(runSeed)
                .withTemplate(template)
                .withZooDir(zoo)
                .withRunDir(out)
                .withMultiObjective(multiObjective)
                .withBudget(budget)
                .withN(n)
                .withEstimatorCheck(check)
                .withDevices(local.devices)
                .withControlPort(local.controlPort)
                .withResponseCache(responseCache)
                .withNodeConfig(config.file == null ? null : config.load());
        DemoResult r = Demo.run(o);
        return "FAILED".equals(r.runState()) ? 1 : 0;
    }
}
