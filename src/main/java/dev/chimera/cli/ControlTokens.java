package dev.chimera.cli;

import com.typesafe.config.Config;
import dev.chimera.engine.control.ControlServer;

/** The token a client sends: --token, else CHIMERA_TOKEN / chimera.control.token, else the local token file (never created). */
final class ControlTokens {
    private ControlTokens() {}

    static String resolve(String flag, Config nodeConfig) {
        if (flag != null && !flag.isBlank()) {
            return flag;
        }
        return ControlServer.clientToken(nodeConfig.getConfig("chimera.control"));
    }
}
