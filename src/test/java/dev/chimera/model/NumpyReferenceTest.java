package dev.chimera.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Chimera's logits, log-likelihoods and greedy generations against an independent float64 numpy implementation of
 * the Hugging Face semantics (src/test/resources/model/reference_llama.py), for every supported architecture and
 * option. Skipped when python3 with numpy is not available.
 */
class NumpyReferenceTest {
    static final double TOLERANCE = 1e-4;
    static final Map<String, double[]> MAX_DIFF = new LinkedHashMap<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void needNumpy() {
        Assumptions.assumeTrue(PythonRef.works("python3", "import numpy"), "python3 with numpy not available");
    }

    @AfterAll
    static void report() {
        MAX_DIFF.forEach((k, v) -> System.out.printf(
                "numpy reference %-28s max |logit diff| %.3g, max |loglik diff| %.3g%n", k, v[0], v[1]));
    }

    static List<TinyModels.Spec> specs() {
        return TinyModels.specs();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void matchesNumpyReference(TinyModels.Spec spec) throws Exception {
        Path dir = TinyModels.write(
                tmp.resolve(spec.name()), spec, 1234 + spec.name().hashCode());
        Random r = new Random(spec.name().hashCode());
        int[] lengths = {1, 4, 9, 13};
        long[][] seqs = new long[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            seqs[i] = r.longs(lengths[i], 0, 50).toArray();
        }
        List<int[]> ctxs = List.of(ints(r, 3), ints(r, 1), ints(r, 6), ints(r, 10));
        List<int[]> conts = List.of(ints(r, 4), ints(r, 1), ints(r, 2), ints(r, 3));
        int[] prompt = ints(r, 5);
        int eos = 2;

        Map<String, Object> request = new LinkedHashMap<>();
        request.put("sequences", seqs);
        List<Object> ll = new ArrayList<>();
        for (int i = 0; i < ctxs.size(); i++) {
            ll.add(List.of(ctxs.get(i), conts.get(i)));
        }
        request.put("loglik", ll);
        request.put("generate", List.of(List.of(prompt, 8, eos)));
        JsonNode ref =
                PythonRef.run(PythonRef.command("python3", PythonRef.referenceScript(), dir.toString()), request);

        try (CausalLM model = CausalLM.load(dir)) {
            // logits: one right-padded batch against per-sequence reference values
            float[][][] logits = model.logits(seqs, lengths, false);
            double maxLogit = 0;
            for (int b = 0; b < seqs.length; b++) {
                JsonNode refSeq = ref.get("logits").get(b);
                for (int t = 0; t < lengths[b]; t++) {
                    for (int v = 0; v < 50; v++) {
                        double diff =
                                Math.abs(logits[b][t][v] - refSeq.get(t).get(v).asDouble());
                        maxLogit = Math.max(maxLogit, diff);
                    }
                }
            }
            assertTrue(maxLogit < TOLERANCE, spec + ": max logit difference " + maxLogit);

            List<CausalLM.LogLikelihood> got = model.logLikelihoods(ctxs, conts);
            double maxLl = 0;
            for (int i = 0; i < ctxs.size(); i++) {
                JsonNode e = ref.get("loglik").get(i);
                maxLl = Math.max(
                        maxLl, Math.abs(got.get(i).logProb() - e.get("logprob").asDouble()));
                // a decision closer than float32's error to flipping may go either way, on any CPU
                if (e.get("margin").asDouble() > 2 * TOLERANCE) {
                    assertEquals(
                            e.get("greedy").asBoolean(), got.get(i).isGreedy(), spec + ": is_greedy of request " + i);
                }
                CausalLM.LogLikelihood single = model.logLikelihood(ctxs.get(i), conts.get(i));
                assertEquals(got.get(i).logProb(), single.logProb(), 1e-4, spec + ": batched vs single loglik " + i);
            }
            assertTrue(maxLl < TOLERANCE, spec + ": max log-likelihood difference " + maxLl);

            JsonNode refGen = ref.get("generate").get(0);
            int[] expected = PythonRef.MAPPER.convertValue(refGen.get("tokens"), int[].class);
            // the tokens must agree up to the first step whose decision is closer than float32's error to a tie
            int decided = 0;
            while (decided < refGen.get("margins").size()
                    && refGen.get("margins").get(decided).asDouble() > 2 * TOLERANCE) {
                decided++;
            }
            assertTrue(decided >= 4, spec + ": the fixture must decide at least 4 steps clearly, got " + decided);
            CausalLM.Generation gen = model.generateGreedy(prompt, 8, eos);
            boolean allDecided = decided == refGen.get("margins").size();
            if (allDecided) {
                assertArrayEquals(expected, gen.tokens(), spec + ": greedy generation");
            } else {
                int k = Math.min(decided, expected.length);
                assertArrayEquals(
                        Arrays.copyOf(expected, k),
                        Arrays.copyOf(gen.tokens(), Math.min(k, gen.tokens().length)),
                        spec + ": greedy generation up to step " + decided);
            }
            if (allDecided && gen.tokens().length > 0) {
                assertTrue(
                        model.logLikelihood(prompt, gen.tokens()).isGreedy(),
                        spec + ": the greedy continuation must be is_greedy");
            }
            synchronized (MAX_DIFF) {
                MAX_DIFF.put(spec.name(), new double[] {maxLogit, maxLl});
            }
        }
    }

    static int[] ints(Random r, int n) {
        return r.ints(n, 0, 50).toArray();
    }
}
