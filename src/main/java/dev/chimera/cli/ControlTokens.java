package dev.chimera.cli;

import com.typesafe.config.Config;
import dev.chimera.engine.control.ControlServer;

import java.nio.file.Path;

/** The token a client sends: --token, else CHIMERA_TOKEN / chimera.control.token, else the local token file. */
final class ControlTokens {
    private ControlTokens() {
    }

    static String resolve(String flag, Path configFile) {
        if (flag != null && !flag.isBlank()) {
            return flag;
        }
        Config c = NodeCommand.loadConfig(configFile).getConfig("chimera.control");
        return ControlServer.tokenFromConfig(c);
    }
}
