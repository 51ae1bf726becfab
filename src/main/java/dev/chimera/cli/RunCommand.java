package dev.chimera.cli;

import com.typesafe.config.Config;
import dev.chimera.engine.Node;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.control.ControlClient;
import dev.chimera.engine.control.RunFollower;
import dev.chimera.engine.run.RunFolder;
import dev.chimera.engine.run.RunSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chimera run RUN.conf}: submits a run to a cluster ({@code --node}) or, without one, starts a single-node
 * cluster in this process, runs it there and exits when it ends.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run an evolutionary merge described by a run file (HOCON).")
class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN.conf", description = "the run file")
    Path runFile;

    @Mixin
    ClientOptions cluster = new ClientOptions();

    @Mixin
    LocalNodeOptions local = new LocalNodeOptions();

    @Option(names = "--detach", description = "with --node: return once the run is accepted")
    boolean detach;

    @Override
    public Integer call() throws Exception {
        RunSpec spec = RunSpec.load(runFile);
        return go(spec.text(), null, spec.devices());
    }

    /** Submits a new run (spec) or a resume (runDir) and follows it. */
    int go(String spec, Path runDir, List<String> runDevices) throws Exception {
        if (cluster.node != null) {
            String node = cluster.node;
            ControlClient client = cluster.client();
            Protocol.SubmitReply r = client.submit(
                    spec, runDir == null ? null : runDir.toAbsolutePath().toString());
            if (!r.ok()) {
                throw new IllegalStateException(r.error());
            }
            System.out.printf("run %s accepted by %s; folder %s%n", r.runId(), node, r.runDir());
            System.out.printf("pause/resume/stop: chimera pause|resume|stop %s --node %s%n", r.runId(), node);
            if (detach) {
                return 0;
            }
            return RunFollower.report(RunFollower.follow(() -> client.status(r.runId()), System.err), System.out);
        }
        Config cfg = cluster.config.load();
        Node.Options o =
                Node.Options.defaults().withPort(0).withDevices(local.devices != null ? local.devices : runDevices);
        if (local.controlPort != null) {
            o = o.withControlPort(local.controlPort);
        }
        Node local = Node.startLocal(cfg, o);
        try {
            Protocol.SubmitReply r = local.submit(
                            spec,
                            runDir == null ? null : runDir.toAbsolutePath().toString())
                    .toCompletableFuture()
                    .get(10, TimeUnit.MINUTES);
            if (!r.ok()) {
                throw new IllegalStateException(r.error());
            }
            System.out.printf(
                    "run %s on a single-node cluster (%s); folder %s%n", r.runId(), local.devices(), r.runDir());
            if (local.controlAddress() != null) {
                System.out.printf("dashboard: http://%s/ui/run.html?run=%s%n", local.controlAddress(), r.runId());
                System.out.printf(
                        "pause/resume/stop: chimera pause|resume|stop %s --node %s%n",
                        r.runId(), local.controlAddress());
            }
            Protocol.Status end = RunFollower.follow(() -> local.statusNow(r.runId()), System.err);
            return RunFollower.report(end, System.out);
        } finally {
            local.close();
        }
    }

    /** {@code chimera resume RUN_DIR} continues a stopped or crashed run from its folder. */
    int resumeFolder(Path dir) throws Exception {
        RunSpec spec = RunFolder.specOf(dir);
        return go(null, dir, spec.devices());
    }
}
