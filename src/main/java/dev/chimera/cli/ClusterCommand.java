package dev.chimera.cli;

import dev.chimera.engine.actor.Protocol;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code chimera cluster --node HOST:PORT}: members, the coordinator's node, workers and what they hold. */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Show the cluster: members (status, roles, reachability), the coordinator's node, every worker"
                + " (node, device, busy or idle) and the active run.")
final class ClusterCommand implements Callable<Integer> {
    @Mixin
    ClientOptions cluster = new ClientOptions();

    @Override
    public Integer call() {
        if (cluster.node == null) {
            throw new IllegalArgumentException("cluster needs --node HOST:PORT (the control endpoint a node printed)");
        }
        print(cluster.client().cluster(), System.out);
        return 0;
    }

    static void print(Protocol.ClusterView v, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "cluster: %d member(s), coordinator on %s, %s%n",
                v.members().size(),
                v.coordinator(),
                v.run() == null ? "no active run" : "active run " + v.run());
        for (Protocol.Member m : v.members()) {
            out.printf(
                    Locale.ROOT,
                    "  member %s: %s%s%s%n",
                    m.address(),
                    m.status(),
                    m.reachable() ? "" : ", UNREACHABLE",
                    m.roles().isEmpty() ? "" : ", roles " + String.join(",", m.roles()));
        }
        for (Protocol.WorkerSlot w : v.workers()) {
            out.printf(
                    Locale.ROOT,
                    "  worker %s on %s: %s%s%n",
                    w.device(),
                    w.node(),
                    w.inFlight() > 0 ? "busy (" + w.inFlight() + " candidate(s))" : "idle",
                    w.refused() == null ? "" : ", refused the run: " + w.refused());
        }
    }
}
