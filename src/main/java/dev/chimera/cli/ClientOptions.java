package dev.chimera.cli;

import com.typesafe.config.Config;
import dev.chimera.engine.control.ControlClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How a client reaches a cluster: {@code --node} (a node's control endpoint), {@code --token}, {@code --config}. */
final class ClientOptions {
    @Option(
            names = "--node",
            paramLabel = "HOST:PORT",
            description = "control endpoint of a cluster node (printed when it starts)")
    String node;

    @Option(
            names = "--token",
            description = "control token (default: CHIMERA_TOKEN, chimera.control.token, else the token file)")
    String token;

    @Mixin
    NodeConfigOption config = new NodeConfigOption();

    ControlClient client() {
        Config c = config.load();
        return new ControlClient(
                node,
                ControlTokens.resolve(token, c),
                c.getDuration("chimera.control.client-retry"),
                m -> System.err.println(m));
    }
}
