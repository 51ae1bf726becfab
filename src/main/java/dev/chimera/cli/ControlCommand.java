package dev.chimera.cli;

import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.control.ControlClient;
import dev.chimera.engine.control.RunFollower;
import dev.chimera.engine.run.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code chimera pause|resume|stop|status RUN_ID --node HOST:PORT}. */
abstract class ControlCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "RUN",
            description = "run id (status: default the active run)")
    String run;

    @Mixin
    ClientOptions cluster = new ClientOptions();

    abstract String action();

    @Override
    public Integer call() throws Exception {
        if (cluster.node == null) {
            throw new IllegalArgumentException(
                    action() + " needs --node HOST:PORT (the control endpoint a node printed)");
        }
        ControlClient client = cluster.client();
        Protocol.Status s;
        if (action().equals("status")) {
            s = client.status(run);
            if (run == null && s.state() == RunState.Status.UNKNOWN) {
                // no run yet: what there is, the cluster
                ClusterCommand.print(client.cluster(), System.out);
                return 0;
            }
        } else {
            if (run == null) {
                throw new IllegalArgumentException(action() + " needs the run id");
            }
            s = client.control(run, action());
        }
        if (s.error() != null) {
            throw new IllegalStateException(s.error());
        }
        System.out.println(RunFollower.line(s));
        for (Protocol.WorkerStatus w : s.workers()) {
            System.out.printf(
                    Locale.ROOT,
                    "  worker %s: %d evaluated, %.0f%% busy%s%n",
                    w.id(),
                    w.evaluated(),
                    w.utilisation() * 100,
                    w.refused() == null ? "" : ", refused: " + w.refused());
        }
        if (s.bestGenes() != null && !s.bestGenes().isEmpty()) {
            StringBuilder genes = new StringBuilder("  best genes:");
            s.bestGenes().forEach((name, v) -> genes.append(String.format(Locale.ROOT, " %s=%.4g", name, v)));
            System.out.println(genes);
        }
        if (s.finishReason() != null) {
            System.out.println("  ended: " + s.finishReason());
        }
        return 0;
    }

    @Command(
            name = "pause",
            mixinStandardHelpOptions = true,
            description = "Pause a run: in-flight candidates finish, nothing new is handed out.")
    static final class Pause extends ControlCommand {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = "Stop a run; its folder keeps everything ('chimera resume DIR' continues it).")
    static final class Stop extends ControlCommand {
        @Override
        String action() {
            return "stop";
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Show a run's generation, evaluations, best fitness, throughput and workers.")
    static final class Status extends ControlCommand {
        @Override
        String action() {
            return "status";
        }
    }

    /** resume: a paused run (with --node and a run id) or a stopped/crashed run's folder. */
    @Command(
            name = "resume",
            mixinStandardHelpOptions = true,
            description =
                    "Resume a paused run (RUN_ID --node HOST:PORT), or continue a stopped or crashed run from its folder"
                            + " (RUN_DIR; in-process, or on the cluster with --node). Nothing evaluated is evaluated again.")
    static final class Resume extends ControlCommand {
        @Mixin
        LocalNodeOptions local = new LocalNodeOptions();

        @Override
        String action() {
            return "resume";
        }

        @Override
        public Integer call() throws Exception {
            if (run != null && Files.isDirectory(Path.of(run))) {
                RunCommand r = new RunCommand();
                r.cluster = cluster;
                r.local = local;
                return r.resumeFolder(Path.of(run));
            }
            if (cluster.node == null) {
                throw new IllegalArgumentException(
                        "resume needs a run folder, or a run id with --node HOST:PORT ('" + run + "' is not a folder)");
            }
            return super.call();
        }
    }
}
