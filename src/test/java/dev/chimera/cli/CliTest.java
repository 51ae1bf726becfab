package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {
    static String capture(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsSubcommandsAndEachHasHelp() {
        String top = capture("--help");
        assertTrue(top.contains("merge") && top.contains("bench"), top);
        String merge = capture("merge", "--help");
        assertTrue(merge.contains("--out-shard-size") && merge.contains("--random-seed"), merge);
        assertTrue(merge.contains("default: cpu"), "defaults come from reference.conf: " + merge);
        assertTrue(capture("bench", "--help").contains("--methods"));
    }

    @Test
    void optionDefaultsComeFromConfig() {
        MergeCommand cmd = new MergeCommand();
        CommandLine cl = new CommandLine(cmd);
        cl.setDefaultValueProvider(new ConfigDefaults(ConfigFactory.parseString("chimera.merge { threads = 7, device = \"cuda:1\" }")));
        cl.parseArgs("cfg.yml", "out");
        assertEquals(7, cmd.threads);
        assertEquals("cuda:1", cmd.device);
        cl.parseArgs("cfg.yml", "out", "--threads", "3");
        assertEquals(3, cmd.threads, "flags win over config");
    }
}
