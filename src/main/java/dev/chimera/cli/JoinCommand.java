package dev.chimera.cli;

import picocli.CommandLine.Command;

/** {@code chimera join --join HOST:PORT}: a node that joins an existing cluster. */
@Command(
        name = "join",
        mixinStandardHelpOptions = true,
        description =
                "Add this machine to a cluster: a node (see 'chimera node') that joins the nodes given by --join.")
final class JoinCommand extends NodeCommand {
    @Override
    public Integer call() throws InterruptedException {
        if (seeds == null || seeds.isEmpty()) {
            throw new IllegalArgumentException("join needs --join HOST:PORT (the cluster address a node printed)");
        }
        return super.call();
    }
}
