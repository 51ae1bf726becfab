package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code modules:} in merge configs and the architecture rules around it: what is refused, and how. */
class ModulesConfigTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void models() throws IOException {
        PeerSuite.writeModels(dir);
    }

    private static CliRun merge(String name, String yaml) throws IOException {
        Path cfg = MergeCliTestSupport.config(dir, name, yaml);
        return CliRun.of("merge", cfg.toString(), dir.resolve("out-" + name).toString());
    }

    @Test
    void modulesRoundTripThroughYaml() {
        String yaml = PeerSuite.cases().stream()
                .filter(c -> c.name().equals("gemma3_vl_modules"))
                .findFirst()
                .orElseThrow()
                .yaml();
        MergeConfig c = MergeConfigYaml.parse(yaml, "vl.yml");
        assertEquals(3, c.modules().size());
        assertEquals(2, c.modules().get("text_decoder").slices().size());
        assertEquals(
                0.5,
                c.modules()
                        .get("multi_modal_projector")
                        .parameters()
                        .get("weight")
                        .evaluate("x", 0));
        assertEquals(c, MergeConfigYaml.parse(MergeConfigYaml.write(c), "again.yml"));
        assertTrue(c.referencedModels().contains("$D/vlb"), c.referencedModels().toString());
    }

    @Test
    void modelsMergeEveryModuleOfAMultiModuleModel() throws IOException {
        CliRun r = merge("vl_models", """
                models:
                  - model: $D/vla
                  - model: $D/vlb
                merge_method: linear
                parameters: {weight: 1.0}
                """);
        assertEquals(0, r.code(), r.err());
        var out = TinyLlama.read(dir.resolve("out-vl_models"));
        assertEquals(StandIns.gemma3Vl(2, 2).keySet(), out.keySet());
    }

    @Test
    void refusalsNameTheModuleOrTheArchitectures() throws IOException {
        CliRun slices = merge("vl_slices", """
                slices:
                  - sources:
                      - model: $D/vla
                        layer_range: [0, 1]
                merge_method: passthrough
                """);
        assertEquals(1, slices.code());
        assertTrue(
                slices.err()
                        .contains("architecture gemma3-vl has several modules (text_decoder, multi_modal_projector,"
                                + " vision_tower): use 'modules:' to give their slices"),
                slices.err());
        CliRun unknown = merge("vl_unknown", """
                modules:
                  audio_tower:
                    models:
                      - model: $D/vla
                merge_method: passthrough
                """);
        assertEquals(1, unknown.code());
        assertTrue(
                unknown.err()
                        .contains("architecture gemma3-vl has no module 'audio_tower' (it has text_decoder, "
                                + "multi_modal_projector, vision_tower)"),
                unknown.err());
        CliRun mixed = merge("mixed", """
                models:
                  - model: $D/g2new
                  - model: $D/phb
                merge_method: linear
                parameters: {weight: 1.0}
                """);
        assertEquals(1, mixed.code());
        assertTrue(
                mixed.err()
                        .contains("models of different architectures: " + dir.resolve("g2new")
                                + " is GPT2LMHeadModel (gpt2), " + dir.resolve("phb") + " is Phi3ForCausalLM (phi3)"),
                mixed.err());
        CliRun both = merge("both", """
                models:
                  - model: $D/g2new
                modules:
                  default:
                    models:
                      - model: $D/g2new
                merge_method: passthrough
                """);
        assertEquals(1, both.code());
        assertTrue(both.err().contains("exactly one of 'models', 'slices' or 'modules'"), both.err());
        for (String n : new String[] {"vl_slices", "vl_unknown", "mixed", "both"}) {
            assertFalse(Files.exists(dir.resolve("out-" + n)), n + ": nothing written");
        }
    }
}
