package dev.chimera.merge.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.merge.method.MergeException;
import dev.chimera.tensor.HfConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchitecturesTest {
    @TempDir
    Path dir;

    private static HfConfig config(String json) {
        return HfConfig.parse(json, Path.of("config.json"));
    }

    @Test
    void builtInDefinitionsCoverTheFamiliesByClassName() {
        for (String c : List.of(
                "LlamaForCausalLM",
                "MistralForCausalLM",
                "Qwen2ForCausalLM",
                "Qwen3ForCausalLM",
                "GPT2LMHeadModel",
                "GemmaForCausalLM",
                "Gemma2ForCausalLM",
                "Gemma3ForCausalLM",
                "Gemma3ForConditionalGeneration",
                "Phi3ForCausalLM",
                "MixtralForCausalLM",
                "Qwen3MoeForCausalLM",
                "GraniteForCausalLM")) {
            assertTrue(Architectures.forClass(c).isPresent(), c);
        }
        assertEquals(
                List.of("text_decoder", "multi_modal_projector", "vision_tower"),
                List.copyOf(Architectures.forClass("Gemma3ForConditionalGeneration")
                        .orElseThrow()
                        .modules()
                        .keySet()));
    }

    @Test
    void templatesExpandPerLayerAndExpertWithPrefixAliasesAndTiedNames() {
        Architecture gpt2 = Architectures.forClass("GPT2LMHeadModel").orElseThrow();
        HfConfig cfg = config("{\"architectures\": [\"GPT2LMHeadModel\"], \"n_layer\": 3}");
        ModuleDef m = gpt2.mainModule();
        assertEquals(3, m.numLayers(cfg));
        WeightDef w = m.layerWeights(2, cfg).get(0);
        assertEquals("transformer.h.2.ln_1.weight", w.name());
        assertEquals(List.of("transformer.h.2.ln_1.weight", "h.2.ln_1.weight"), w.names());
        WeightDef head = m.postWeights(cfg).get(2);
        assertTrue(head.optional() && head.embed());
        assertEquals(List.of("transformer.wte.weight", "wte.weight"), head.tied());
        // 2 per-expert templates x 3 experts + the rest of the layer
        Architecture mixtral = Architectures.forClass("MixtralForCausalLM").orElseThrow();
        HfConfig mx = config("{\"num_hidden_layers\": 1, \"num_local_experts\": 3}");
        List<String> names = mixtral.mainModule().layerWeights(0, mx).stream()
                .map(WeightDef::name)
                .toList();
        assertEquals(6 + 1 + 3 * 3 + 3, names.size());
        assertTrue(names.contains("model.layers.0.block_sparse_moe.experts.2.w3.weight"), names.toString());
        Architecture vl =
                Architectures.forClass("Gemma3ForConditionalGeneration").orElseThrow();
        HfConfig vlc =
                config("{\"text_config\": {\"num_hidden_layers\": 4}, \"vision_config\": {\"num_hidden_layers\": 2}}");
        assertEquals(4, vl.module("text_decoder").numLayers(vlc));
        assertEquals(2, vl.module("vision_tower").numLayers(vlc));
        assertEquals(0, vl.module("multi_modal_projector").numLayers(vlc));
        assertEquals(
                "vision_tower.vision_model.encoder.layers.1.mlp.fc2.bias",
                vl.module("vision_tower").layerWeights(1, vlc).get(15).name());
        assertEquals(vl.module("text_decoder"), vl.mainModule());
    }

    @Test
    void arithmeticPlaceholdersFollowMergekit() {
        Architecture a = Architectures.parse("""
                architectures: [X]
                layers: n
                layer: ["l.$layer.from.$layer-1.to.$layer+1"]
                post: ["final.$num_layers.$num_layers-1"]
                """, "x", "x.yaml");
        HfConfig cfg = config("{\"n\": 5}");
        assertEquals(
                "l.3.from.2.to.4", a.mainModule().layerWeights(3, cfg).get(0).name());
        assertEquals("final.5.4", a.mainModule().postWeights(cfg).get(0).name());
    }

    @Test
    void badDefinitionsNameTheFileAndTheKey() {
        String[][] bad = {
            {"architectures: [X]\nlayers: n\nlayer: [a.$layer]\npots: [b]\n", "unknown key pots"},
            {"architectures: [X]\nlayer: [a.$layer.w]\n", "key layers is missing"},
            {"architectures: [X]\nlayers: n\nlayer: [a.$layer.$expert.w]\n", "key experts is missing"},
            {"architectures: [X]\npre: [a.$layer.w]\n", "pre[0] (a.$layer.w) uses [$layer]"},
            {
                "architectures: [X]\nlayers: n\nlayer: [{name: a, optional: yes please}]\n",
                "layer[0].optional must be true or false"
            },
            {"layers: n\nlayer: [a]\n", "key architectures must list"},
            {"architectures: [X]\nmodules: {m: {pre: [a], colour: red}}\n", "unknown key modules.m.colour"},
            {"architectures: [X]\nlayers: 12\nlayer: [a]\n", "layers must be the config.json key"},
            {"architectures: [X]\n", "lists no weights"},
        };
        for (String[] b : bad) {
            MergeException e = assertThrows(MergeException.class, () -> Architectures.parse(b[0], "x", "defs/x.yaml"));
            assertTrue(e.getMessage().startsWith("defs/x.yaml: "), e.getMessage());
            assertTrue(e.getMessage().contains(b[1]), b[1] + " not in: " + e.getMessage());
        }
    }

    @Test
    void unknownClassesGetADefinitionInferredFromTensorNames() {
        HfConfig cfg = config("{\"architectures\": [\"NovelForCausalLM\"], \"num_hidden_layers\": 2}");
        List<String> names = List.of(
                "model.embed_tokens.weight",
                "model.layers.0.attn.w",
                "model.layers.0.moe.w",
                "model.layers.1.attn.w",
                "model.norm.weight");
        Architecture a = Architectures.of(cfg, names);
        assertEquals("inferred", a.name());
        ModuleDef m = a.mainModule();
        assertEquals(
                List.of("model.embed_tokens.weight"),
                m.pre().stream().map(WeightDef::name).toList());
        assertTrue(m.pre().get(0).embed());
        List<WeightDef> layer = m.layer();
        assertEquals("model.layers.$layer.attn.w", layer.get(0).name());
        assertFalse(layer.get(0).optional());
        assertTrue(layer.get(1).optional(), "present in layer 0 only");
        // the final norm, then an optional head tied to the embedding
        assertEquals(
                List.of("model.norm.weight", "lm_head.weight"),
                m.post().stream().map(WeightDef::name).toList());
        assertEquals(List.of("model.embed_tokens.weight"), m.post().get(1).tied());
    }

    @Test
    void definitionsLoadFromFilesAndRegisterInCode() throws Exception {
        Path f = dir.resolve("tiny-net.yaml");
        Files.writeString(f, """
                architectures: [TinyNetForCausalLM]
                layers: depth
                pre: [{name: tok.weight, embed: true}]
                layer: [blocks.$layer.mix.weight, blocks.$layer.ff.weight]
                post: [out.weight]
                groups: {attention: [.mix.], mlp: [.ff.], embed: [tok.], head: [out.], outputs: [.ff.]}
                """);
        Architecture a = Architectures.load(f);
        assertEquals("tiny-net", a.name());
        assertEquals(f.toString(), a.source());
        assertEquals(List.of(".mix."), a.mainModule().groups().attention());
        Architectures.register(a);
        assertEquals(a, Architectures.forClass("TinyNetForCausalLM").orElseThrow());
        assertTrue(Set.copyOf(Architectures.all()).contains(a));
    }
}
