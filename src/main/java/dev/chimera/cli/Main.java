package dev.chimera.cli;

import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code chimera} command line. */
@Command(
        name = "chimera",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Evolutionary model merging on an actor engine.",
        subcommands = {
            MergeCommand.class,
            EvalCommand.class,
            EstimatorBenchCommand.class,
            ExtractCommand.class,
            BenchCommand.class,
            ZooCommand.class,
            DemoCommand.class,
            NodeCommand.class,
            JoinCommand.class,
            RunCommand.class,
            ControlCommand.Pause.class,
            ControlCommand.Resume.class,
            ControlCommand.Stop.class,
            ControlCommand.Status.class,
            ClusterCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // SLF4J binds to logback here, on one thread, before Pekko's and DJL's threads log: logging calls made while
        // it initialises from several threads at once are queued and replayed with a warning
        LoggerFactory.getILoggerFactory();
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        System.setProperty("ai.djl.offline", "true");
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new Errors());
        cl.setDefaultValueProvider(ConfigDefaults.load());
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Prints a user-facing error (no stack trace) and returns exit code 1. */
    static final class Errors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            cl.getErr().println("error: " + msg);
            if (Boolean.getBoolean("chimera.debug")) {
                ex.printStackTrace(cl.getErr());
            }
            return 1;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"chimera " + (v == null ? "dev" : v)};
        }
    }
}
