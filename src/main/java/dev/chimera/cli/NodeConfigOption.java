package dev.chimera.cli;

import com.typesafe.config.Config;
import dev.chimera.engine.Node;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}: node config (HOCON) over the defaults; nodes run with it, clients read their token from it. */
final class NodeConfigOption {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "node config (HOCON) on top of the defaults (reference.conf);"
                    + " clients read chimera.control.token from it")
    Path file;

    Config load() {
        return Node.loadConfig(file);
    }
}
