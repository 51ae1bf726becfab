package dev.chimera.cli;

import dev.chimera.engine.Node;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chimera node} / {@code chimera join}: a long-running cluster member with one worker pair per device. */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        description = "Start a node: one Merger/Evaluator pair per device, the HTTP control endpoint, and (if it is the"
                + " oldest member) the Coordinator. Without --join it founds a cluster of its own.")
class NodeCommand implements Callable<Integer> {
    @Mixin
    NodeConfigOption config = new NodeConfigOption();

    @Option(
            names = "--devices",
            paramLabel = "DEV",
            split = ",",
            description = "devices of this node: cpu, cpu:N or cuda:N" + " (default: chimera.node.devices)")
    List<String> devices;

    @Option(names = "--host", description = "address other nodes reach this one at (default: chimera.node.host)")
    String host;

    @Option(names = "--port", description = "cluster port, 0 = any free (default: chimera.node.port)")
    Integer port;

    @Option(
            names = "--join",
            split = ",",
            paramLabel = "HOST:PORT",
            description = "cluster address(es) of existing nodes to join")
    List<String> seeds;

    @Option(
            names = "--control-port",
            paramLabel = "PORT",
            description = "HTTP control port, 0 = any free, -1 = off (default: chimera.control.port)")
    Integer controlPort;

    @Option(
            names = "--token",
            description = "control token (default: CHIMERA_TOKEN, chimera.control.token, else the token file)")
    String token;

    Node.Options options() {
        return new Node.Options(devices, host, port, seeds, controlPort, token, null);
    }

    @Override
    public Integer call() throws InterruptedException {
        Node node = Node.start(config.load(), options());
        CountDownLatch down = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            node.close();
                            down.countDown();
                        },
                        "chimera-node-shutdown"));
        System.out.printf("node started: cluster address %s, devices %s%n", node.clusterAddress(), node.devices());
        Duration wait = node.system().settings().config().getDuration("chimera.node.join-timeout");
        System.out.flush();
        if (node.awaitUp(wait)) {
            System.out.printf("joined: a cluster of %d member(s)%n", node.upMembers());
        } else {
            System.out.printf(
                    "not joined after %d s: no seed of %s admitted this node (is the address right and its port"
                            + " reachable from here?); still trying%n",
                    wait.toSeconds(), seeds == null || seeds.isEmpty() ? "this node" : String.join(", ", seeds));
        }
        if (node.controlAddress() != null) {
            System.out.printf(
                    "control: http://%s (token: chimera.control.token or the token file)%n", node.controlAddress());
            System.out.printf(
                    "dashboard: http://%s/ui/ (read-only views need no token from this machine)%n",
                    node.controlAddress());
        }
        if (!node.system().settings().config().getBoolean("chimera.node.bootstrap")) {
            System.out.printf("join more machines with: chimera join --join %s%n", node.clusterAddress());
        }
        System.out.flush();
        node.system().getWhenTerminated().toCompletableFuture().join();
        return 0;
    }
}
