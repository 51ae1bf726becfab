package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.search.genome.ParamGene;
import dev.chimera.search.genome.ParameterGenome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optional: the same configs merged by mergekit itself and by Chimera, tensor by tensor. Runs only when the
 * environment variable CHIMERA_MERGEKIT names a mergekit-yaml executable (mergekit is not a dependency of
 * Chimera; see docs/benchmarks.md for how it was installed beside the project); skipped otherwise.
 * Inputs are float32, so both tools compute in float32 and should agree to rounding.
 */
class MergekitOracleTest {
    @TempDir
    static Path dir;

    static String mergekit;

    @BeforeAll
    static void models() throws IOException {
        mergekit = MergekitRun.executable();
        TinyLlama t = new TinyLlama();
        t.hidden = 16;
        t.intermediate = 24;
        t.write(dir.resolve("base"), 21);
        t.write(dir.resolve("a"), 22);
        t.write(dir.resolve("b"), 23);
        t.write(dir.resolve("c"), 24);
    }

    static Stream<Arguments> configs() {
        String ab = "models:\n  - model: $D/a\n    parameters: {%s}\n  - model: $D/b\n    parameters: {%s}\n";
        return Stream.of(
                Arguments.of("linear", ab.formatted("weight: 0.3", "weight: 0.9") + "merge_method: linear\n"),
                Arguments.of(
                        "task_arithmetic",
                        ab.formatted("weight: 0.7", "weight: [0.2, 1.0]")
                                + "merge_method: task_arithmetic\nbase_model: $D/base\nparameters: {lambda: 0.8}\n"),
                Arguments.of(
                        "ties",
                        ab.formatted("weight: 0.6, density: 0.4", "weight: 0.5, density: 0.7")
                                + "merge_method: ties\nbase_model: $D/base\n"),
                Arguments.of(
                        "breadcrumbs",
                        ab.formatted("weight: 0.6, density: 0.6, gamma: 0.1", "weight: 0.5, density: 0.7, gamma: 0.05")
                                + "merge_method: breadcrumbs\nbase_model: $D/base\n"),
                Arguments.of(
                        "breadcrumbs_ties",
                        ab.formatted("weight: 0.6, density: 0.6, gamma: 0.1", "weight: 0.5, density: 0.7, gamma: 0.05")
                                + "merge_method: breadcrumbs_ties\nbase_model: $D/base\n"),
                Arguments.of(
                        "dare_ties_dense",
                        ab.formatted("weight: 0.6", "weight: 0.5") + "merge_method: dare_ties\nbase_model: $D/base\n"),
                Arguments.of(
                        "slerp",
                        "models:\n  - model: $D/base\n  - model: $D/a\nmerge_method: slerp\nbase_model: $D/base\n"
                                + "parameters:\n  t:\n    - filter: self_attn\n      value: [0.1, 0.9]\n    - value: 0.4\n"),
                Arguments.of("nuslerp", ab.formatted("weight: 1.0", "weight: 3.0") + "merge_method: nuslerp\n"),
                Arguments.of(
                        "nuslerp_base_rows",
                        ab.formatted("weight: 1.0", "weight: 2.0")
                                + "merge_method: nuslerp\nbase_model: $D/base\nparameters: {nuslerp_flatten: false, nuslerp_row_wise: true}\n"),
                Arguments.of(
                        "multislerp",
                        ab.formatted("weight: 1.0", "weight: 2.0") + "merge_method: multislerp\nbase_model: $D/base\n"),
                Arguments.of(
                        "karcher",
                        "models:\n  - model: $D/a\n  - model: $D/b\n  - model: $D/c\nmerge_method: karcher\n"),
                Arguments.of(
                        "model_stock",
                        "models:\n  - model: $D/a\n  - model: $D/b\n  - model: $D/c\nmerge_method: model_stock\nbase_model: $D/base\n"),
                Arguments.of(
                        "model_stock_filter",
                        "models:\n  - model: $D/a\n  - model: $D/b\nmerge_method: model_stock\nbase_model: $D/base\n"
                                + "parameters: {filter_wise: true}\n"),
                Arguments.of(
                        "sce",
                        "models:\n  - model: $D/a\n  - model: $D/b\n  - model: $D/c\nmerge_method: sce\nbase_model: $D/base\n"
                                + "parameters: {select_topk: 0.5}\n"),
                Arguments.of(
                        "nearswap",
                        "models:\n  - model: $D/base\n  - model: $D/a\nmerge_method: nearswap\nbase_model: $D/base\nparameters: {t: 0.7}\n"),
                Arguments.of(
                        "arcee_fusion",
                        "models:\n  - model: $D/base\n  - model: $D/a\nmerge_method: arcee_fusion\nbase_model: $D/base\n"),
                Arguments.of(
                        "ram",
                        "models:\n  - model: $D/a\n  - model: $D/b\n  - model: $D/c\nmerge_method: ram\nbase_model: $D/base\n"),
                Arguments.of(
                        "ramplus_tl",
                        "models:\n  - model: $D/a\n  - model: $D/b\n  - model: $D/c\nmerge_method: ramplus_tl\nbase_model: $D/base\n"
                                + "parameters: {r: 0.3, alpha: 0.5, epsilon: 0.001}\n"),
                Arguments.of("genome_ties_groups", genomeYaml()),
                Arguments.of(
                        "passthrough",
                        "slices:\n  - sources:\n      - model: $D/base\n        layer_range: [0, 2]\n"
                                + "  - sources:\n      - model: $D/a\n        layer_range: [1, 3]\n        parameters: {scale: 0.5}\nmerge_method: passthrough\n"));
    }

    /** A recipe as the search exports it: TIES per layer group with its own embedding and head values. */
    static String genomeYaml() {
        var g = ParameterGenome.builder("ties")
                .baseModel("$D/base")
                .models(List.of("$D/a", "$D/b"))
                .param(ParamGene.perModel("weight", 0, 1))
                .param(ParamGene.perModel("density", 0.1, 1))
                .layers(3, 3)
                .moduleFilters(true)
                .embedGroup(true)
                .headGroup(true)
                .build();
        double[] genes = new double[g.dimension()];
        for (int i = 0; i < genes.length; i++) {
            genes[i] = 0.15 + 0.8 * ((i * 37) % 23) / 23.0;
        }
        return g.yaml(genes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void sameTensorsAsMergekit(String name, String yaml) throws Exception {
        Path cfg = MergeCliTestSupport.config(dir, name, yaml);
        Path ours = dir.resolve("chimera-" + name);
        Path theirs = dir.resolve("mergekit-" + name);
        MergekitRun.both(mergekit, cfg, dir, name).succeeded();
        Map<String, double[]> a = TinyLlama.read(ours);
        Map<String, double[]> b = TinyLlama.read(theirs);
        assertEquals(b.keySet(), a.keySet(), "tensor names");
        for (String k : b.keySet()) {
            double[] x = a.get(k);
            double[] y = b.get(k);
            assertEquals(y.length, x.length, k);
            for (int i = 0; i < y.length; i++) {
                assertTrue(
                        Math.abs(x[i] - y[i]) <= 2e-5 * Math.max(1, Math.abs(y[i])),
                        name + " " + k + "[" + i + "]: chimera " + x[i] + " mergekit " + y[i]);
            }
        }
    }
}
