package dev.chimera.engine.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.chimera.ChimeraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client reads a token; only a node makes one (issue 15: a client used to write a random token and then fail). */
class ClientTokenTest {
    private static Config control(String token, Path file) {
        return ConfigFactory.parseMap(Map.of("token", token))
                .withValue("token-file", ConfigValueFactory.fromAnyRef(file.toString()));
    }

    @Test
    void aClientWithoutATokenLeavesTheTokenFileAloneAndSaysWhereToGetOne(@TempDir Path tmp) {
        Path file = tmp.resolve("home/.chimera/token");
        String msg = assertThrows(ChimeraException.class, () -> ControlServer.clientToken(control("", file)))
                .getMessage();
        assertTrue(
                msg.startsWith("no control token: pass --token, set CHIMERA_TOKEN") && msg.contains(file.toString()),
                msg);
        assertFalse(Files.exists(file.getParent()), "nothing written");
    }

    @Test
    void aClientUsesTheConfiguredTokenElseTheNodesFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("token");
        assertEquals("s3cret", ControlServer.clientToken(control("s3cret", file)));
        String made = ControlServer.tokenFromConfig(control("", file)); // a node makes one
        assertEquals(48, made.length());
        assertEquals(made, Files.readString(file).trim());
        assertEquals(made, ControlServer.clientToken(control("", file)));
    }
}
