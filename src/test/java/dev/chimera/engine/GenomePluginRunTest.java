package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.GenomeTypes;
import dev.chimera.engine.run.RunException;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.engine.run.SearchSpace;
import dev.chimera.extending.WeightSliderGenome;
import dev.chimera.merge.MergeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A genome type registered in code (docs/extending.md's weight slider) drives a real merge run. */
class GenomePluginRunTest {
    @Test
    void aRegisteredGenomeTypeIsUsedByARunFile(@TempDir Path tmp) throws Exception {
        MergeRunTest.zoo(tmp);
        Path f = tmp.resolve("slider.conf");
        String text = """
                run {
                  name = slider
                  output = out-slider
                  seed = 2
                  models { a = a, b = b }
                  genome { type = weight-slider, models = [a, b] }
                  algorithm { name = random, settings { population = 3 } }
                  objectives = [ { name = colours, task = task.yml } ]
                  budget { evaluations = 3 }
                }
                """;
        Files.writeString(f, text);
        if (!GenomeTypes.names().contains("weight-slider")) { // not yet registered in this JVM
            RunException unknown = assertThrows(RunException.class, () -> RunSpec.load(f));
            assertTrue(unknown.getMessage().contains("unknown genome type 'weight-slider'"), unknown.getMessage());
            GenomeTypes.register(new WeightSliderGenome.Type());
        }
        SearchSpace space = SearchSpace.of(RunSpec.load(f));
        assertEquals(List.of("t"), space.genome().geneNames());
        MergeConfig c = space.genome().decode(new double[] {0.25});
        assertEquals(0.25, c.models().get(0).parameters().get("weight").evaluate("x", 0));
        assertEquals(0.75, c.models().get(1).parameters().get("weight").evaluate("x", 0));
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:1"))) {
            Protocol.Status s = EngineTestSupport.runToEnd(node, f, "slider", 300);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        }
        List<String> rows = Files.readAllLines(tmp.resolve("out-slider/results.csv"));
        assertEquals(4, rows.size(), rows.toString());
        assertTrue(rows.get(0).endsWith(",\"t\""), rows.get(0));
    }
}
