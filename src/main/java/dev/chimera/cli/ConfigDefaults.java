package dev.chimera.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from Typesafe Config: {@code chimera.<command>.<long-option-name>} (e.g.
 * {@code chimera.merge.threads}), from reference.conf, overridden by application.conf ({@code bin/chimera} passes the
 * repository's top-level file with -Dconfig.file) and -D system properties. Command-line flags win over all.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    private static final Set<String> NODE_COMMANDS = Set.of("node", "join");

    private final Config config;

    ConfigDefaults(Config config) {
        this.config = config;
    }

    static ConfigDefaults load() {
        return new ConfigDefaults(ConfigFactory.load());
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec opt) || arg.command() == null) {
            return null;
        }
        if (NODE_COMMANDS.contains(arg.command().name())) {
            // Node.start reads chimera.node.* from the whole stack, including the command's --config file
            return null;
        }
        String key = "chimera." + arg.command().name() + "." + opt.longestName().replaceFirst("^-+", "");
        if (!config.hasPath(key)) {
            return null;
        }
        Object v = config.getValue(key).unwrapped();
        if (v instanceof List<?> list) {
            // list keys (e.g. chimera.node.devices) become the comma-separated form the options split
            return list.isEmpty()
                    ? null
                    : String.join(",", list.stream().map(String::valueOf).toList());
        }
        return v.toString();
    }
}
