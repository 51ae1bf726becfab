package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {
    static String capture(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(0, r.code(), r.err());
        return r.out();
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
        cl.setDefaultValueProvider(
                new ConfigDefaults(ConfigFactory.parseString("chimera.merge { threads = 7, device = \"cuda:1\" }")));
        cl.parseArgs("cfg.yml", "out");
        assertEquals(7, cmd.threads);
        assertEquals("cuda:1", cmd.device);
        cl.parseArgs("cfg.yml", "out", "--threads", "3");
        assertEquals(3, cmd.threads, "flags win over config");
    }
}
