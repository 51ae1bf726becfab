package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** One name, one meaning: an option shared by several commands is declared once (a mixin) and reads the same everywhere. */
class OptionNamesTest {
    private static List<CommandSpec> commands() {
        List<CommandSpec> out = new ArrayList<>();
        new CommandLine(new Main()).getSubcommands().values().forEach(c -> out.add(c.getCommandSpec()));
        return out;
    }

    @Test
    void sharedOptionsMeanTheSameInEveryCommand() {
        Map<String, String> seen = new HashMap<>();
        Map<String, String> where = new HashMap<>();
        for (CommandSpec c : commands()) {
            for (OptionSpec o : c.options()) {
                String name = o.longestName();
                if (!List.of("--node", "--token", "--config", "--devices", "--control-port", "--join")
                        .contains(name)) {
                    continue;
                }
                // a node's own devices and control port default differently from an in-process node's: same label
                boolean own = List.of("--devices", "--control-port").contains(name);
                String meaning = o.paramLabel() + (own ? "" : " " + String.join(" ", o.description()));
                String before = seen.putIfAbsent(name, meaning);
                if (before != null) {
                    assertEquals(before, meaning, name + " in " + c.name() + " differs from " + where.get(name));
                }
                where.putIfAbsent(name, c.name());
            }
        }
        assertEquals(6, seen.size(), seen.keySet().toString());
    }

    @Test
    void seedIsARandomSeedAndClusterAddressesAreJoin() {
        for (CommandSpec c : commands()) {
            OptionSpec seed = c.findOption("--seed");
            if (seed != null) {
                assertFalse(seed.paramLabel().contains("HOST"), c.name() + " --seed takes a cluster address");
            }
        }
        for (String name : List.of("node", "join")) {
            CommandSpec c =
                    new CommandLine(new Main()).getSubcommands().get(name).getCommandSpec();
            assertTrue(c.findOption("--join").paramLabel().contains("HOST:PORT"), name);
        }
    }
}
