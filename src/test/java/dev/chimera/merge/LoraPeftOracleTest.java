package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA sources against peft itself: with CHIMERA_PEFT_PYTHON naming a Python that has torch, transformers and peft
 * (never a dependency), a random tiny Llama gets random LoRA and rsLoRA adapters on three module types, peft's
 * merge_and_unload writes the reference, and {@code chimera merge} of {@code base+adapter} must match it.
 */
class LoraPeftOracleTest {
    static final String SCRIPT = """
            import sys, torch
            from transformers import LlamaConfig, LlamaForCausalLM
            from peft import LoraConfig, get_peft_model, PeftModel
            d = sys.argv[1]
            torch.manual_seed(0)
            cfg = LlamaConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4,
                              num_key_value_heads=2, vocab_size=64, max_position_embeddings=64)
            LlamaForCausalLM(cfg).save_pretrained(d + "/base", safe_serialization=True)
            for name, rs in [("lora", False), ("rslora", True)]:
                p = get_peft_model(LlamaForCausalLM.from_pretrained(d + "/base"),
                                   LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"],
                                              use_rslora=rs))
                with torch.no_grad():
                    for n, prm in p.named_parameters():
                        if "lora_" in n:
                            prm.copy_(torch.randn_like(prm) * 0.1)
                p.save_pretrained(d + "/" + name)
                merged = PeftModel.from_pretrained(LlamaForCausalLM.from_pretrained(d + "/base"), d + "/" + name)
                merged.merge_and_unload().save_pretrained(d + "/peft-" + name, safe_serialization=True)
            """;

    @Test
    void adaptersAreAppliedAsPeftMergesThem(@TempDir Path tmp) throws Exception {
        String python = System.getenv("CHIMERA_PEFT_PYTHON");
        Assumptions.assumeTrue(python != null, "CHIMERA_PEFT_PYTHON is not set to a Python with torch and peft");
        Files.writeString(tmp.resolve("make.py"), SCRIPT);
        Process p = new ProcessBuilder(python, tmp.resolve("make.py").toString(), tmp.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        System.setProperty("chimera.lora-cache", tmp.resolve("cache").toString());
        try {
            for (String name : List.of("lora", "rslora")) {
                Path cfg = tmp.resolve(name + ".yml");
                Files.writeString(
                        cfg,
                        "models:\n  - model: " + tmp.resolve("base") + "+" + tmp.resolve(name)
                                + "\n    parameters: {weight: 1.0}\nmerge_method: linear\n");
                CliRun r = CliRun.of(
                        "merge", cfg.toString(), tmp.resolve("out-" + name).toString());
                assertEquals(0, r.code(), r.err());
                Map<String, double[]> peft = TinyLlama.read(tmp.resolve("peft-" + name));
                Map<String, double[]> ours = TinyLlama.read(tmp.resolve("out-" + name));
                assertEquals(peft.keySet(), ours.keySet());
                for (String t : peft.keySet()) {
                    double[] a = peft.get(t);
                    double[] b = ours.get(t);
                    for (int i = 0; i < a.length; i++) {
                        // float32 both ways; a dot product of r = 4 terms: within a few float32 ulps on any CPU
                        assertEquals(a[i], b[i], 1e-6 * Math.max(1, Math.abs(a[i])), name + " " + t + "[" + i + "]");
                    }
                }
            }
        } finally {
            System.clearProperty("chimera.lora-cache");
        }
    }
}
