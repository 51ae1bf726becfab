package dev.chimera.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chimera.tensor.DType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Chimera's logits and greedy generations against Hugging Face transformers itself (float32, eager attention).
 * Runs only when the environment variable CHIMERA_TRANSFORMERS_PYTHON names a Python with torch and transformers.
 */
class TransformersReferenceTest {
    static final String ENV = "CHIMERA_TRANSFORMERS_PYTHON";
    static final Map<String, double[]> MAX_DIFF = new LinkedHashMap<>();

    static final String SCRIPT = """
            import json, sys
            import torch
            from transformers import AutoModelForCausalLM
            model = AutoModelForCausalLM.from_pretrained(sys.argv[1], dtype=torch.float32,
                                                         attn_implementation="eager")
            model.eval()
            req = json.load(sys.stdin)
            out = {"logits": [], "generate": []}
            with torch.no_grad():
                for seq in req["sequences"]:
                    ids = torch.tensor([seq], dtype=torch.long)
                    out["logits"].append(model(input_ids=ids).logits[0].float().tolist())
                for prompt, n in req["generate"]:
                    ids = torch.tensor([prompt], dtype=torch.long)
                    g = model.generate(ids, max_new_tokens=n, do_sample=False, eos_token_id=None, pad_token_id=0)
                    out["generate"].append(g[0, len(prompt):].tolist())
            json.dump(out, sys.stdout)
            """;

    @TempDir
    Path tmp;

    @BeforeAll
    static void needTransformers() {
        String python = System.getenv(ENV);
        Assumptions.assumeTrue(python != null && !python.isBlank(), ENV + " not set");
        Assumptions.assumeTrue(
                PythonRef.works(python, "import torch, transformers"),
                python + " cannot import torch and transformers");
    }

    @AfterAll
    static void report() {
        MAX_DIFF.forEach((k, v) -> System.out.printf(
                "transformers reference %-28s max |logit diff| %.3g (max |logit| %.3g; transformers vs numpy %.3g)%n",
                k, v[0], v[1], v[2]));
    }

    static List<TinyModels.Spec> specs() {
        return TinyModels.specs();
    }

    /** Mistral's sliding window (every layer) on sequences and a generation longer than the window. */
    @Test
    void mistralSlidingWindowMatchesTransformers() throws Exception {
        matchesTransformers(new TinyModels.Spec(
                "mistral-window4",
                TinyModels.config(
                        "MistralForCausalLM", "\"head_dim\": 8, \"sliding_window\": 4, \"num_hidden_layers\": 3"),
                DType.F32));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void matchesTransformers(TinyModels.Spec spec) throws Exception {
        Path dir = TinyModels.write(
                tmp.resolve(spec.name()), spec, 99 + spec.name().hashCode());
        Path script = PythonRef.writeScript(tmp, "hf_reference.py", SCRIPT);
        Random r = new Random(7 + spec.name().hashCode());
        int[] lengths = {2, 7, 16};
        long[][] seqs = new long[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            seqs[i] = r.longs(lengths[i], 0, 50).toArray();
        }
        int[] prompt = r.ints(6, 0, 50).toArray();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("sequences", seqs);
        request.put("generate", List.of(List.of(prompt, 10)));
        JsonNode ref = PythonRef.run(PythonRef.command(System.getenv(ENV), script, dir.toString()), request);
        // how far transformers (float32) itself is from the float64 numpy reference (which has no sliding window)
        double hfVsNumpy = Double.NaN;
        if (ModelConfig.parse(spec.configJson()).slidingWindow() == null
                && PythonRef.works("python3", "import numpy")) {
            JsonNode np = PythonRef.run(
                    PythonRef.command("python3", PythonRef.referenceScript(), dir.toString()),
                    Map.of("sequences", seqs));
            hfVsNumpy = 0;
            for (int b = 0; b < seqs.length; b++) {
                for (int t = 0; t < lengths[b]; t++) {
                    for (int v = 0; v < 50; v++) {
                        hfVsNumpy = Math.max(
                                hfVsNumpy,
                                Math.abs(np.get("logits").get(b).get(t).get(v).asDouble()
                                        - ref.get("logits").get(b).get(t).get(v).asDouble()));
                    }
                }
            }
        }
        try (CausalLM model = CausalLM.load(dir)) {
            float[][][] logits = model.logits(seqs, lengths, false);
            double max = 0;
            double mag = 0;
            for (int b = 0; b < seqs.length; b++) {
                for (int t = 0; t < lengths[b]; t++) {
                    for (int v = 0; v < 50; v++) {
                        max = Math.max(
                                max,
                                Math.abs(logits[b][t][v]
                                        - ref.get("logits").get(b).get(t).get(v).asDouble()));
                        mag = Math.max(mag, Math.abs(logits[b][t][v]));
                    }
                }
            }
            assertTrue(max < 1e-4, spec + ": max logit difference vs transformers " + max);
            int[] expected = PythonRef.MAPPER.convertValue(ref.get("generate").get(0), int[].class);
            assertArrayEquals(
                    expected,
                    model.generateGreedy(prompt, 10, Set.of()).tokens(),
                    spec + ": greedy generation vs transformers");
            synchronized (MAX_DIFF) {
                MAX_DIFF.put(spec.name(), new double[] {max, mag, hfVsNumpy});
            }
        }
    }
}
