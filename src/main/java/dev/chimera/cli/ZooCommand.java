package dev.chimera.cli;

import dev.chimera.zoo.Zoo;
import dev.chimera.zoo.ZooBuilder;
import dev.chimera.zoo.ZooException;
import dev.chimera.zoo.ZooSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code chimera zoo}: the demo's self-made model zoo. */
@Command(
        name = "zoo",
        mixinStandardHelpOptions = true,
        subcommands = {ZooCommand.Build.class},
        description = "The demo model zoo: a tiny Llama base and two experts trained on this machine.")
final class ZooCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code chimera zoo build}. */
    @Command(
            name = "build",
            mixinStandardHelpOptions = true,
            description = "Train (or reuse) the zoo: base, expert 1 (arithmetic in language A), expert 2 (language B),"
                    + " and the task files of the target (arithmetic in B) and of both skills.")
    static final class Build implements Callable<Integer> {
        @Option(
                names = "--out",
                paramLabel = "DIR",
                description = "zoo folder (default ~/.cache/chimera/zoo/<recipe-hash>-seed<S>); reused if it holds"
                        + " this zoo")
        Path out;

        @Option(names = "--seed", defaultValue = "0", description = "zoo seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(
                names = "--size",
                hidden = true,
                defaultValue = "demo",
                description = "demo, or tiny (a seconds-long zoo of the same recipe, for tests)")
        String size;

        @Override
        public Integer call() {
            if (seed < 0) {
                throw new ZooException("--seed " + seed + " must be >= 0");
            }
            ZooSpec zooSpec = switch (size) {
                case "demo" -> ZooSpec.defaults();
                case "tiny" -> ZooSpec.tiny();
                default -> throw new ZooException("--size " + size + " is unknown (demo or tiny)");
            };
            Path dir = out != null ? out : ZooBuilder.defaultDir(zooSpec, seed);
            Zoo zoo = ZooBuilder.openOrBuild(dir, zooSpec, seed, System.out::println);
            System.out.println("zoo:      " + zoo.dir());
            System.out.println("base:     " + zoo.base());
            System.out.println("expert 1: " + zoo.expert1() + "  (arithmetic in language A)");
            System.out.println("expert 2: " + zoo.expert2() + "  (language B)");
            System.out.println("target:   " + zoo.task(Zoo.TARGET_SEARCH) + "  (search split)");
            System.out.println("          " + zoo.task(Zoo.TARGET_TEST) + "  (held-out test split)");
            System.out.println("skills:   " + zoo.task(Zoo.SKILL1_TEST) + ", " + zoo.task(Zoo.SKILL2_TEST));
            return 0;
        }
    }
}
