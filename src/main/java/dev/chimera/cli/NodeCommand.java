package dev.chimera.cli;

import com.typesafe.config.Config;
import dev.chimera.engine.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code chimera node} / {@code chimera join}: a long-running cluster member with one worker pair per device. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Start a node: one Merger/Evaluator pair per device, the HTTP control endpoint, and (if it is the"
                + " oldest member) the Coordinator. Without --seed it founds a cluster of its own.")
class NodeCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "node config (HOCON), on top of the defaults")
    Path config;

    @Option(names = "--devices", split = ",", description = "cpu, cpu:N or cuda:N,cuda:M (default: chimera.node.devices)")
    List<String> devices;

    @Option(names = "--host", description = "address other nodes reach this one at (default: chimera.node.host)")
    String host;

    @Option(names = "--port", description = "cluster port, 0 = any free (default: chimera.node.port)")
    Integer port;

    @Option(names = "--seed", split = ",", paramLabel = "HOST:PORT", description = "cluster address(es) of existing nodes to join")
    List<String> seeds;

    @Option(names = "--control-port", description = "HTTP control port, 0 = any free, -1 = off (default: chimera.control.port)")
    Integer controlPort;

    @Option(names = "--token", description = "control token (default: chimera.control.token, else the token file)")
    String token;

    /** The node config: --config over application.conf over the defaults. */
    static Config loadConfig(Path file) {
        return Node.loadConfig(file);
    }

    Node.Options options() {
        return new Node.Options(devices, host, port, seeds, controlPort, token, null);
    }

    @Override
    public Integer call() throws InterruptedException {
        Node node = Node.start(loadConfig(config), options());
        CountDownLatch down = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            down.countDown();
        }, "chimera-node-shutdown"));
        System.out.printf("node up: cluster %s, devices %s%n", node.clusterAddress(), node.devices());
        if (node.controlAddress() != null) {
            System.out.printf("control: http://%s (token: chimera.control.token or the token file)%n", node.controlAddress());
        }
        if (!node.system().settings().config().getBoolean("chimera.node.bootstrap")) {
            System.out.printf("join more machines with: chimera join --seed %s%n", node.clusterAddress());
        }
        System.out.flush();
        node.system().getWhenTerminated().toCompletableFuture().join();
        return 0;
    }
}
