package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.cli.CliRun;
import dev.chimera.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: tiny Llama folders made here, merged with the CLI, reloaded and checked against {@link Reference}. */
class MergeCliTest {
    @TempDir
    static Path dir;

    static Map<String, double[]> base;
    static Map<String, double[]> a;
    static Map<String, double[]> b;

    @BeforeAll
    static void models() throws IOException {
        TinyLlama t = new TinyLlama();
        base = t.write(dir.resolve("base"), 1);
        a = t.write(dir.resolve("a"), 2);
        b = t.write(dir.resolve("b"), 3);
    }

    /** The CLI's result (kept as a type name for the merge tests). */
    static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    static Path config(String name, String yaml) throws IOException {
        return MergeCliTestSupport.config(dir, name, yaml);
    }

    static Map<String, double[]> merge(String name, String yaml, String... extra) throws IOException {
        Path cfg = config(name, yaml);
        Path out = dir.resolve("out-" + name);
        String[] args = new String[3 + extra.length];
        args[0] = "merge";
        args[1] = cfg.toString();
        args[2] = out.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        CliRun r = cli(args);
        assertEquals(0, r.code(), r.err());
        return TinyLlama.read(out);
    }

    static void close(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            assertTrue(
                    Math.abs(e - actual[i]) <= tol * Math.max(1, Math.abs(e)),
                    what + "[" + i + "]: expected " + e + " got " + actual[i]);
        }
    }

    @Test
    void linearMatchesFormulaOnEveryTensor() throws IOException {
        var out = merge("linear", """
                models:
                  - model: $D/a
                    parameters: {weight: 0.3}
                  - model: $D/b
                    parameters: {weight: 0.9}
                merge_method: linear
                """);
        assertEquals(a.keySet(), out.keySet());
        for (String k : a.keySet()) {
            close(Reference.linear(List.of(a.get(k), b.get(k)), new double[] {0.3, 0.9}, true), out.get(k), 1e-6, k);
        }
    }

    @Test
    void tiesMatchesFormulaAndWritesFolder() throws IOException {
        var out = merge("ties", """
                models:
                  - model: $D/a
                    parameters: {weight: 0.6, density: 0.5}
                  - model: $D/b
                    parameters: {weight: 0.4, density: 0.7}
                merge_method: ties
                base_model: $D/base
                dtype: float32
                """);
        for (String k : base.keySet()) {
            close(
                    Reference.gta(
                            base.get(k),
                            List.of(a.get(k), b.get(k)),
                            new double[] {0.6, 0.4},
                            new double[] {0.5, 0.7},
                            true,
                            true,
                            1),
                    out.get(k),
                    1e-5,
                    k);
        }
        Path o = dir.resolve("out-ties");
        assertTrue(Files.exists(o.resolve("tokenizer.json")));
        assertTrue(Files.exists(o.resolve("mergekit_config.yml")));
        JsonNode cfg = new ObjectMapper().readTree(o.resolve("config.json").toFile());
        assertEquals(3, cfg.get("num_hidden_layers").asInt());
        assertEquals("float32", cfg.get("torch_dtype").asText());
        // the written YAML is itself a valid config that reproduces the merge
        MergeConfig again = MergeConfigYaml.read(o.resolve("mergekit_config.yml"));
        assertEquals("ties", again.mergeMethod());
    }

    @Test
    void gradientsInterpolateAcrossLayersAndFiltersPickByName() throws IOException {
        var out = merge("grad", """
                models:
                  - model: $D/a
                    parameters:
                      weight:
                        - filter: self_attn
                          value: [0.0, 1.0]
                        - value: 0.25
                merge_method: task_arithmetic
                base_model: $D/base
                """);
        for (String k : base.keySet()) {
            double w;
            if (k.contains("self_attn")) {
                int layer = Integer.parseInt(k.split("\\.")[2]);
                w = layer / 2.0; // t = j / (L - 1) with L = 3
            } else {
                w = 0.25;
            }
            close(
                    Reference.gta(base.get(k), List.of(a.get(k)), new double[] {w}, new double[] {1}, false, false, 1),
                    out.get(k),
                    1e-6,
                    k);
        }
    }

    @Test
    void slerpMatchesFormula() throws IOException {
        var out = merge("slerp", """
                models:
                  - model: $D/base
                  - model: $D/a
                merge_method: slerp
                base_model: $D/base
                parameters:
                  t: [0.2, 0.8]
                """);
        for (String k : base.keySet()) {
            double t = k.contains(".layers.") ? 0.2 + 0.6 * Integer.parseInt(k.split("\\.")[2]) / 2.0 : 0.2;
            close(Reference.slerp(t, base.get(k), a.get(k)), out.get(k), 1e-5, k);
        }
    }

    @Test
    void passthroughSlicesBuildAFrankenmerge() throws IOException {
        var out = merge("franken", """
                slices:
                  - sources:
                      - model: $D/base
                        layer_range: [0, 2]
                  - sources:
                      - model: $D/a
                        layer_range: [1, 3]
                merge_method: passthrough
                """);
        JsonNode cfg = new ObjectMapper()
                .readTree(dir.resolve("out-franken").resolve("config.json").toFile());
        assertEquals(4, cfg.get("num_hidden_layers").asInt());
        close(
                base.get("model.layers.1.mlp.up_proj.weight"),
                out.get("model.layers.1.mlp.up_proj.weight"),
                0,
                "layer 1");
        close(a.get("model.layers.1.mlp.up_proj.weight"), out.get("model.layers.2.mlp.up_proj.weight"), 0, "layer 2");
        close(
                a.get("model.layers.2.self_attn.q_proj.weight"),
                out.get("model.layers.3.self_attn.q_proj.weight"),
                0,
                "layer 3");
        close(
                base.get("model.embed_tokens.weight"),
                out.get("model.embed_tokens.weight"),
                0,
                "embed from the first slice");
        close(a.get("lm_head.weight"), out.get("lm_head.weight"), 0, "lm_head from the last slice");
        assertFalse(out.containsKey("model.layers.4.mlp.up_proj.weight"));
    }

    @Test
    void bf16OutputRoundsOnce() throws IOException {
        var out = merge("bf16", """
                models:
                  - model: $D/a
                    parameters: {weight: 1.0}
                  - model: $D/b
                    parameters: {weight: 1.0}
                merge_method: linear
                out_dtype: bfloat16
                """);
        for (String k : a.keySet()) {
            double[] exp = Reference.linear(List.of(a.get(k), b.get(k)), new double[] {1, 1}, true);
            for (int i = 0; i < exp.length; i++) {
                exp[i] = TinyLlama.round(exp[i], DType.BF16);
            }
            close(exp, out.get(k), 1e-6, k);
        }
    }

    @Test
    void darTiesIsReproducibleForASeedAndDiffersAcrossSeeds() throws IOException {
        String yaml = """
                models:
                  - model: $D/a
                    parameters: {weight: 0.5, density: 0.5}
                  - model: $D/b
                    parameters: {weight: 0.5, density: 0.5}
                merge_method: dare_ties
                base_model: $D/base
                """;
        var r1 = merge("dare1", yaml, "--random-seed", "7");
        var r2 = merge("dare2", yaml, "--random-seed", "7", "--threads", "1");
        var r3 = merge("dare3", yaml, "--random-seed", "8");
        String k = "model.layers.1.mlp.up_proj.weight";
        close(r1.get(k), r2.get(k), 0, "same seed");
        boolean differs = false;
        for (int i = 0; i < r1.get(k).length; i++) {
            differs |= r1.get(k)[i] != r3.get(k)[i];
        }
        assertTrue(differs, "another seed gives another mask");
    }

    @Test
    void printPlanShowsInputsAndResolvedParametersWithoutWriting() throws IOException {
        Path cfg = config("plan", """
                models:
                  - model: $D/a
                    parameters: {weight: [0.0, 1.0], density: 0.5}
                merge_method: ties
                base_model: $D/base
                """);
        CliRun r = cli("merge", cfg.toString(), "--print-plan");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("method ties, architecture llama, 30 output tensors, 3 layers"), r.out());
        // layer 1 of 3 sits at t = 0.5 of the gradient [0, 1]
        int at = r.out().indexOf("model.layers.1.mlp.up_proj.weight");
        String block = r.out()
                .substring(
                        at,
                        r.out().indexOf("model.layers.1.mlp.down_proj.weight") > at
                                ? r.out().indexOf("\nmodel.", at + 1)
                                : r.out().length());
        assertTrue(block.contains("base " + dir.resolve("base")), block);
        assertTrue(block.contains("weight=0.5") && block.contains("density=0.5"), block);
        assertFalse(Files.exists(dir.resolve("plan")), "nothing written");
    }
}
