package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.engine.run.RunException;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.SearchSpace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's genome takes its layer count and group names from the models' architecture definition. */
class GenomeArchitectureTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void models() throws Exception {
        PeerSuite.writeModels(dir);
    }

    static RunSpec spec(String genomeExtra) throws Exception {
        Path f = dir.resolve("run.conf");
        Files.writeString(f, """
                run {
                  name = g
                  models { a = "%s", b = "%s" }
                  genome { method = linear, models = [a, b], module-filters = true, embed-group = true,
                           head-group = true, params = [ { name = weight, min = 0.1, max = 1 } ] %s }
                  algorithm { name = random }
                  objectives = [ { name = f, synthetic = sphere } ]
                  budget { evaluations = 4 }
                }
                """.formatted(dir.resolve("g2new"), dir.resolve("g2other"), genomeExtra));
        return RunSpec.load(f);
    }

    @Test
    void gpt2RunsGroupGpt2Names() throws Exception {
        SearchSpace s = SearchSpace.of(spec(""));
        // n_layer = 2, one group: attention, MLP, rest, embedding, head per model
        assertEquals(10, s.bounds().dimension());
        double[] genes = new double[10];
        Arrays.setAll(genes, i -> 0.1 + 0.05 * i);
        String yaml = s.genome().yaml(genes);
        for (String filter : new String[] {".attn.", ".mlp.", "wte.", "wpe.", "ln_f.", "lm_head"}) {
            assertTrue(
                    yaml.contains("filter: \"" + filter + "\"") || yaml.contains("filter: " + filter),
                    filter + "\n" + yaml);
        }
        assertTrue(!yaml.contains("self_attn"), yaml);
    }

    @Test
    void anExplicitArchitectureIsUsedAndAnUnknownOneNamed() throws Exception {
        String yaml = SearchSpace.of(spec(", architecture = LlamaForCausalLM, layers = 2"))
                .genome()
                .yaml(new double[10]);
        assertTrue(yaml.contains("self_attn."), yaml);
        RunException e =
                assertThrows(RunException.class, () -> SearchSpace.of(spec(", architecture = FooForCausalLM")));
        assertTrue(
                e.getMessage().contains("run.genome.architecture: no architecture definition for 'FooForCausalLM'"),
                e.getMessage());
    }
}
