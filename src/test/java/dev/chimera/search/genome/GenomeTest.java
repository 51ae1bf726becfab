package dev.chimera.search.genome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeConfigYaml;
import dev.chimera.merge.MergePlan;
import dev.chimera.merge.MergePlanner;
import dev.chimera.merge.MergeRunner;
import dev.chimera.merge.ModelFolders;
import dev.chimera.merge.TensorMerge;
import dev.chimera.merge.TinyLlama;
import dev.chimera.merge.arch.LayerGroups;
import dev.chimera.merge.method.MergeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Genomes decode to the merge plans worked out here by hand from the gene layout, and round-trip through YAML. */
class GenomeTest {
    @TempDir
    static Path dir;

    static String base;
    static String a;
    static String b;

    @BeforeAll
    static void models() throws IOException {
        TinyLlama t = new TinyLlama();
        t.layers = 4;
        t.write(dir.resolve("base"), 1);
        t.write(dir.resolve("a"), 2);
        t.write(dir.resolve("b"), 3);
        base = dir.resolve("base").toString();
        a = dir.resolve("a").toString();
        b = dir.resolve("b").toString();
    }

    static MergePlan plan(MergeConfig cfg) {
        try (ModelFolders mf = ModelFolders.open(cfg.referencedModels(), dir)) {
            return MergePlanner.plan(cfg, mf::source);
        }
    }

    /** The resolved per-model parameter of one output tensor. */
    static double param(MergePlan plan, String tensor, String model, String name) {
        TensorMerge tm = plan.tensors().stream()
                .filter(t -> t.output().equals(tensor))
                .findFirst()
                .orElseThrow();
        int i = tm.models().indexOf(model);
        return tm.perInput().get(i).number(name);
    }

    static void roundTrip(Genome g, double[] genes) {
        MergeConfig c = g.decode(genes);
        assertEquals(c, MergeConfigYaml.parse(MergeConfigYaml.write(c), "round trip"));
    }

    @Test
    void wholeModelTies() {
        ParameterGenome g = ParameterGenome.builder("ties")
                .baseModel(base)
                .models(List.of(a, b))
                .param(ParamGene.perModel("weight", 0, 1))
                .param(ParamGene.perModel("density", 0.1, 1))
                .layers(4, 1)
                .build();
        assertEquals(4, g.dimension());
        assertEquals(
                List.of(
                        "weight[" + a + "].layers0-3.all",
                        "weight[" + b + "].layers0-3.all",
                        "density[" + a + "].layers0-3.all",
                        "density[" + b + "].layers0-3.all"),
                g.geneNames());
        double[] genes = {0.7, 0.2, 0.5, 0.05}; // the last is below its bound 0.1 and is clipped
        MergePlan p = plan(g.decode(genes));
        for (String t : List.of("model.embed_tokens.weight", "model.layers.2.mlp.up_proj.weight", "lm_head.weight")) {
            assertEquals(0.7, param(p, t, a, "weight"), 0);
            assertEquals(0.2, param(p, t, b, "weight"), 0);
            assertEquals(0.5, param(p, t, a, "density"), 0);
            assertEquals(0.1, param(p, t, b, "density"), 0);
        }
        roundTrip(g, genes);
    }

    @Test
    void layerGroupsModulesEmbeddingAndHead() {
        // 4 layers in 2 groups, modules split, embed and head groups: block = 2 x 3 + 2 = 8 genes per model
        ParameterGenome g = ParameterGenome.builder("task_arithmetic")
                .baseModel(base)
                .models(List.of(a, b))
                .param(ParamGene.perModel("weight", 0, 2))
                .layers(4, 2)
                .moduleFilters(true)
                .embedGroup(true)
                .headGroup(true)
                .build();
        assertEquals(16, g.dimension());
        double[] genes = new double[16];
        for (int i = 0; i < 16; i++) {
            genes[i] = (i + 1) / 10.0; // model a: 0.1..0.8, model b: 0.9..1.6
        }
        MergePlan p = plan(g.decode(genes));
        // model a, group 0 (layers 0-1): self_attn 0.1, mlp 0.2, rest 0.3; group 1 (layers 2-3): 0.4, 0.5, 0.6; embed
        // 0.7; head 0.8
        assertEquals(0.1, param(p, "model.layers.1.self_attn.q_proj.weight", a, "weight"), 1e-12);
        assertEquals(0.2, param(p, "model.layers.0.mlp.down_proj.weight", a, "weight"), 1e-12);
        assertEquals(0.3, param(p, "model.layers.1.input_layernorm.weight", a, "weight"), 1e-12);
        assertEquals(0.4, param(p, "model.layers.2.self_attn.o_proj.weight", a, "weight"), 1e-12);
        assertEquals(0.5, param(p, "model.layers.3.mlp.gate_proj.weight", a, "weight"), 1e-12);
        assertEquals(0.6, param(p, "model.layers.3.post_attention_layernorm.weight", a, "weight"), 1e-12);
        assertEquals(0.7, param(p, "model.embed_tokens.weight", a, "weight"), 1e-12);
        assertEquals(0.8, param(p, "lm_head.weight", a, "weight"), 1e-12);
        assertEquals(0.8, param(p, "model.norm.weight", a, "weight"), 1e-12);
        assertEquals(1.3, param(p, "model.layers.2.mlp.up_proj.weight", b, "weight"), 1e-12);
        assertEquals(1.5, param(p, "model.embed_tokens.weight", b, "weight"), 1e-12);
        assertEquals(4, p.outLayers());
        roundTrip(g, genes);
    }

    @Test
    void smoothModeInterpolatesGroupValuesAcrossLayers() {
        // slerp t as Mergenetic's 11 genes would be: self_attn and mlp gradients (here 2 groups each) and one rest
        // value
        ParameterGenome g = ParameterGenome.builder("slerp")
                .baseModel(base)
                .models(List.of(a))
                .param(ParamGene.global("t", 0, 1))
                .layers(4, 2)
                .moduleFilters(true)
                .smooth(true)
                .build();
        assertEquals(6, g.dimension());
        double[] genes = {0.0, 0.3, 0.9, 0.6, 0.9, 0.6
        }; // group0: attn 0, mlp .3, rest .9; group1: attn .6, mlp .9, rest .6
        MergeConfig c = g.decode(genes);
        MergePlan p = plan(c);
        TensorMerge l1 = p.tensors().stream()
                .filter(t -> t.output().equals("model.layers.1.self_attn.q_proj.weight"))
                .findFirst()
                .orElseThrow();
        // gradient [0, 0.6] at layer 1 of 4: t = 1/3 -> 0.2
        assertEquals(0.2, l1.global().number("t"), 1e-12);
        TensorMerge l3 = p.tensors().stream()
                .filter(t -> t.output().equals("model.layers.3.mlp.up_proj.weight"))
                .findFirst()
                .orElseThrow();
        assertEquals(0.9, l3.global().number("t"), 1e-12);
        roundTrip(g, genes);
    }

    @Test
    void groupsMustDivideLayers() {
        assertThrows(
                MergeException.class,
                () -> ParameterGenome.builder("linear")
                        .models(List.of(a, b))
                        .param(ParamGene.perModel("weight", 0, 1))
                        .layers(4, 3)
                        .build());
        assertThrows(
                MergeException.class,
                () -> ParameterGenome.builder("linear")
                        .models(List.of(a, b))
                        .param(ParamGene.perModel("density", 0, 1))
                        .layers(4, 1)
                        .build());
    }

    @Test
    void layerPathPicksSlotsInOrderCapsDepthAndScalesJumps() {
        LayerPathGenome g = new LayerPathGenome(List.of(a, b), 4, 2, 5, true, 0.5, 1.5, null, LayerGroups.LLAMA);
        assertEquals(2 * 4 * 2 + 4, g.dimension());
        double[] genes = new double[g.dimension()];
        // repeat 0: a layers 0,1 ; b layer 2 ; repeat 1: a layer 3, b layers 0,1 (6 picks, depth cap 5)
        for (int s : new int[] {0, 1, 6, 11, 12, 13}) {
            genes[s] = 0.9;
        }
        genes[16 + 1] = 1.25; // scale a -> b
        genes[16 + 2] = 0.75; // scale b -> a
        MergeConfig c = g.decode(genes);
        List<String> path = c.slices().stream()
                .map(s -> s.sources().get(0).model() + ":" + s.sources().get(0).start())
                .toList();
        assertEquals(List.of(a + ":0", a + ":1", b + ":2", a + ":3", b + ":0"), path);
        MergePlan p = plan(c);
        assertEquals(5, p.outLayers());
        assertEquals(1.25, param(p, "model.layers.2.self_attn.o_proj.weight", b, "scale"), 0);
        assertEquals(1.0, param(p, "model.layers.2.self_attn.q_proj.weight", b, "scale"), 0);
        assertEquals(0.75, param(p, "model.layers.3.mlp.down_proj.weight", a, "scale"), 0);
        assertTrue(c.slices().get(1).sources().get(0).parameters().isEmpty(), "no jump, no scale");
        roundTrip(g, genes);
    }

    @Test
    void emptyLayerPathKeepsTheStrongestSlot() {
        LayerPathGenome g = new LayerPathGenome(List.of(a, b), 4, 1, 8, false, 1, 1, null, LayerGroups.LLAMA);
        double[] genes = new double[8];
        genes[5] = 0.4;
        MergeConfig c = g.decode(genes);
        assertEquals(1, c.slices().size());
        assertEquals(b, c.slices().get(0).sources().get(0).model());
        assertEquals(1, c.slices().get(0).sources().get(0).start());
    }

    @Test
    void identicalMergesShareAKey() {
        LayerPathGenome g = new LayerPathGenome(List.of(a, b), 4, 1, 8, false, 1, 1, null, LayerGroups.LLAMA);
        double[] x = new double[8];
        double[] y = new double[8];
        x[0] = 0.9;
        y[0] = 0.7; // a different gene value, the same path
        assertEquals(g.key(x), g.key(y));
    }

    @Test
    void decodedGenomesMergeWithChimera() {
        ParameterGenome g = ParameterGenome.builder("dare_ties")
                .baseModel(base)
                .models(List.of(a, b))
                .param(ParamGene.perModel("weight", 0, 1))
                .param(ParamGene.perModel("density", 0.2, 1))
                .layers(4, 2)
                .embedGroup(true)
                .headGroup(true)
                .build();
        double[] genes = new double[g.dimension()];
        for (int i = 0; i < genes.length; i++) {
            genes[i] = 0.3 + 0.05 * i;
        }
        MergeConfig c = MergeConfigYaml.parse(g.yaml(genes), "genome");
        var r = MergeRunner.run(
                c, dir, dir.resolve("merged-genome"), MergeRunner.Options.defaults(), new MergeRunner.Listener() {});
        assertEquals(4, r.plan().outLayers());
        assertTrue(Files.exists(dir.resolve("merged-genome").resolve("model.safetensors")));
    }
}
