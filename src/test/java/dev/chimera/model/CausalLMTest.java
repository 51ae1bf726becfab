package dev.chimera.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.HostTensors;
import dev.chimera.tensor.SafetensorsModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Self-consistency of CausalLM: KV cache vs full passes, padding vs single sequences, in-memory weights, memory. */
class CausalLMTest {
    @TempDir
    Path tmp;

    static List<TinyModels.Spec> specs() {
        return TinyModels.specs();
    }

    /**
     * Two decoding paths (full passes, KV cache, padded batches) run different GEMM shapes, so their logits agree to
     * float32 rounding (about 1e-5 of their scale, see {@link #inMemoryWeightsGiveTheSameLogitsAndStayOwnedByTheCaller}),
     * not bit for bit, and the kernels differ per CPU. Their greedy tokens are therefore equal on every CPU only where
     * the reference's top two logits are further apart than that; {@link #greedyByFullPasses} checks every step of
     * a fixture against this margin, so a fixture that would be decided by rounding fails here, on any machine (the margin is ten times the bound).
     */
    static final float NEAR_TIE = 1e-4f;

    /** Greedy decoding by repeated full forward passes (no cache); fails on a step decided by less than NEAR_TIE. */
    static int[] greedyByFullPasses(CausalLM model, int[] prompt, int n, Set<Integer> eos) {
        List<Long> seq = new ArrayList<>();
        for (int p : prompt) {
            seq.add((long) p);
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] ids = seq.stream().mapToLong(Long::longValue).toArray();
            float[] last = model.logits(new long[][] {ids}, new int[] {ids.length}, false)[0][ids.length - 1];
            int best = 0;
            for (int v = 1; v < last.length; v++) {
                if (last[v] > last[best]) {
                    best = v;
                }
            }
            float second = Float.NEGATIVE_INFINITY;
            for (int v = 0; v < last.length; v++) {
                if (v != best) {
                    second = Math.max(second, last[v]);
                }
            }
            assertTrue(
                    last[best] - second > NEAR_TIE * Math.max(1f, Math.abs(last[best])),
                    "fixture step " + i + " is a near-tie (" + last[best] + " vs " + second
                            + "): choose another prompt or seed");
            if (eos.contains(best)) {
                break;
            }
            out.add(best);
            seq.add((long) best);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void kvCacheGenerationEqualsFullPasses(TinyModels.Spec spec) throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), spec, 42);
        try (CausalLM model = CausalLM.load(dir)) {
            int[] prompt = {3, 17, 9, 44, 0, 21};
            int[] full = greedyByFullPasses(model, prompt, 12, Set.of());
            CausalLM.Generation cached = model.generateGreedy(prompt, 12, Set.of());
            assertArrayEquals(full, cached.tokens(), spec + ": KV cache vs full passes");
            assertFalse(cached.stoppedOnEos());
            assertEquals(12, cached.tokens().length);

            // stop on the token produced at step 4: the three before it come back, EOS itself does not
            int eos = full[3];
            int first = 0;
            while (full[first] != eos) {
                first++;
            }
            CausalLM.Generation stopped = model.generateGreedy(prompt, 12, eos);
            assertTrue(stopped.stoppedOnEos());
            assertArrayEquals(Arrays.copyOf(full, first), stopped.tokens());
            assertEquals(0, model.generateGreedy(prompt, 0, eos).tokens().length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void batchedGenerationEqualsDecodingEachPromptAlone(TinyModels.Spec spec) throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), spec, 42);
        Random r = new Random(9);
        List<int[]> prompts = new ArrayList<>();
        for (int len : new int[] {6, 1, 9, 3, 6}) {
            int[] p = new int[len];
            for (int j = 0; j < len; j++) {
                p[j] = r.nextInt(50);
            }
            prompts.add(p);
        }
        try (CausalLM model = CausalLM.load(dir)) {
            // an EOS that some prompts produce early and others never: rows stop at different steps
            int eos = greedyByFullPasses(model, prompts.get(0), 8, Set.of())[2];
            List<CausalLM.Generation> batch = model.generateGreedy(prompts, 8, Set.of(eos));
            assertEquals(prompts.size(), batch.size());
            int stopped = 0;
            for (int i = 0; i < prompts.size(); i++) {
                int[] alone = greedyByFullPasses(model, prompts.get(i), 8, Set.of());
                int cut = 0;
                while (cut < alone.length && alone[cut] != eos) {
                    cut++;
                }
                assertArrayEquals(Arrays.copyOf(alone, cut), batch.get(i).tokens(), spec + " prompt " + i);
                assertEquals(cut < alone.length, batch.get(i).stoppedOnEos(), spec + " prompt " + i);
                stopped += batch.get(i).stoppedOnEos() ? 1 : 0;
            }
            assertTrue(stopped >= 1, "prompt 0 stops on its third token");
            assertTrue(model.generateGreedy(prompts, 0, Set.of(eos)).stream().allMatch(g -> g.tokens().length == 0));
            assertThrows(ModelException.class, () -> model.generateGreedy(List.of(new int[0]), 3, Set.of()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void paddedBatchEqualsSingleSequences(TinyModels.Spec spec) throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), spec, 7);
        Random r = new Random(3);
        int[] lengths = {5, 1, 11, 8};
        long[][] padded = new long[lengths.length][];
        for (int b = 0; b < lengths.length; b++) {
            padded[b] = new long[11];
            for (int t = 0; t < 11; t++) {
                padded[b][t] = t < lengths[b] ? r.nextInt(50) : 49 - t; // junk after the length
            }
        }
        try (CausalLM model = CausalLM.load(dir)) {
            for (boolean logSoftmax : new boolean[] {false, true}) {
                float[][][] batch = model.logits(padded, lengths, logSoftmax);
                for (int b = 0; b < lengths.length; b++) {
                    long[] one = Arrays.copyOf(padded[b], lengths[b]);
                    float[][] single = model.logits(new long[][] {one}, new int[] {lengths[b]}, logSoftmax)[0];
                    for (int t = 0; t < lengths[b]; t++) {
                        for (int v = 0; v < 50; v++) {
                            assertEquals(
                                    single[t][v],
                                    batch[b][t][v],
                                    1e-4,
                                    spec + " seq " + b + " pos " + t + " logSoftmax " + logSoftmax);
                        }
                    }
                }
            }
        }
    }

    /**
     * Mistral's sliding window W, checked without any reference implementation: with one layer, position i attends
     * to tokens i-W+1..i only, and rotary attention depends on relative positions only, so its logits equal those
     * of the last position of the window's tokens alone, run through the same weights without a window.
     */
    @Test
    void mistralSlidingWindowEqualsAttendingToTheWindowAlone() throws Exception {
        int window = 4;
        String shape = "\"num_hidden_layers\": 1, \"head_dim\": 8, \"rope_theta\": 10000.0";
        Path windowed = TinyModels.write(
                tmp.resolve("w"),
                new TinyModels.Spec(
                        "mistral-window4",
                        TinyModels.config("MistralForCausalLM", shape + ", \"sliding_window\": " + window),
                        DType.F32),
                21);
        Path full = TinyModels.write(
                tmp.resolve("f"),
                new TinyModels.Spec(
                        "mistral-nowindow",
                        TinyModels.config("MistralForCausalLM", shape + ", \"sliding_window\": null"),
                        DType.F32),
                21);
        long[] seq = {7, 3, 41, 12, 9, 30, 2, 18, 44, 5, 27, 16};
        try (CausalLM w = CausalLM.load(windowed);
                CausalLM f = CausalLM.load(full)) {
            float[][] got = w.logits(new long[][] {seq}, new int[] {seq.length}, false)[0];
            float[][] unwindowed = f.logits(new long[][] {seq}, new int[] {seq.length}, false)[0];
            double maxChange = 0;
            for (int i = 0; i < seq.length; i++) {
                long[] last = Arrays.copyOfRange(seq, Math.max(0, i - window + 1), i + 1);
                float[] expected = f.logits(new long[][] {last}, new int[] {last.length}, false)[0][last.length - 1];
                assertArrayEquals(expected, got[i], 1e-4f, "position " + i);
                for (int v = 0; v < expected.length; v++) {
                    maxChange = Math.max(maxChange, Math.abs(got[i][v] - unwindowed[i][v]));
                }
            }
            assertTrue(maxChange > 1e-2, "the window must matter beyond position " + window + ": " + maxChange);
            // the KV cache path applies the same window
            int[] prompt = {7, 3, 41, 12, 9, 30};
            assertArrayEquals(
                    greedyByFullPasses(w, prompt, 8, Set.of()),
                    w.generateGreedy(prompt, 8, Set.of()).tokens());
        }
    }

    @Test
    void logSoftmaxRowsAreNormalized() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), TinyModels.specs().get(0), 5);
        try (CausalLM model = CausalLM.load(dir)) {
            float[][][] lp = model.logits(new long[][] {{1, 2, 3}}, new int[] {3}, true);
            for (float[] row : lp[0]) {
                double sum = 0;
                for (float x : row) {
                    sum += Math.exp(x);
                }
                assertEquals(1.0, sum, 1e-5);
            }
        }
    }

    @Test
    void inMemoryWeightsGiveTheSameLogitsAndStayOwnedByTheCaller() throws Exception {
        TinyModels.Spec spec = TinyModels.specs().get(6); // qwen3
        Path dir = TinyModels.write(tmp.resolve("m"), spec, 11);
        long[][] ids = {{4, 8, 15, 16, 23, 42}};
        int[] len = {6};
        float[][][] expected;
        try (CausalLM model = CausalLM.load(dir)) {
            expected = model.logits(ids, len, false);
        }
        try (NDManager owner = NDManager.newBaseManager("PyTorch");
                SafetensorsModel files = SafetensorsModel.open(dir)) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            HostTensors host = new HostTensors();
            for (String name : files.names()) {
                weights.put(
                        name,
                        host.toFloat32(
                                owner,
                                files.chunks(name),
                                files.info(name).dtype(),
                                files.info(name).shape()));
            }
            try (CausalLM model = CausalLM.fromWeights(ModelConfig.read(dir), weights)) {
                float[][][] got = model.logits(ids, len, false);
                // The folder-loaded model runs q/k/v and gate/up as one GEMM each, the in-memory one as separate
                // GEMMs: libtorch picks kernels (blocking, summation order) per call and per CPU, so the two agree
                // to float32 rounding, not bit for bit. A dot product of length K is exact to about K * 2^-24
                // relative to the sum of |terms|; with K <= 64 over two layers that is ~1e-5 of the logits' scale.
                for (int t = 0; t < 6; t++) {
                    float scale = 1f;
                    for (float x : expected[0][t]) {
                        scale = Math.max(scale, Math.abs(x));
                    }
                    assertArrayEquals(expected[0][t], got[0][t], 1e-5f * scale, "position " + t);
                }
            }
            // closing the model leaves the caller's arrays usable
            NDArray embed = weights.get("model.embed_tokens.weight");
            assertEquals(new Shape(50, 32), embed.getShape());
            assertEquals(50 * 32, embed.toFloatArray().length);
        }
    }

    @Test
    void callsLeaveNoArraysBehind() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), TinyModels.specs().get(0), 13);
        try (CausalLM model = CausalLM.load(dir)) {
            int before = model.managedArrayCount();
            model.logits(new long[][] {{1, 2, 3}, {4, 5, 0}}, new int[] {3, 2}, true);
            model.logLikelihoods(List.of(new int[] {1, 2}, new int[] {3}), List.of(new int[] {4, 5}, new int[] {6}));
            model.generateGreedy(new int[] {1, 2, 3}, 5, Set.of());
            assertEquals(before, model.managedArrayCount(), "arrays left in the model's manager");
            try (NDManager out = NDManager.newBaseManager("PyTorch")) {
                NDArray logits = model.forward(out, new long[][] {{1, 2}}, new int[] {2}, false);
                assertEquals(new Shape(1, 2, 50), logits.getShape());
                assertEquals(before, model.managedArrayCount());
            }
        }
    }

    @Test
    void logLikelihoodScoresTheContinuationPositions() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("m"), TinyModels.specs().get(0), 17);
        try (CausalLM model = CausalLM.load(dir)) {
            int[] ctx = {5, 6, 7};
            int[] cont = {8, 9};
            float[][] lp = model.logits(new long[][] {{5, 6, 7, 8}}, new int[] {4}, true)[0];
            CausalLM.LogLikelihood ll = model.logLikelihood(ctx, cont);
            assertEquals(lp[2][8], ll.tokenLogProbs()[0], 1e-6);
            assertEquals(lp[3][9], ll.tokenLogProbs()[1], 1e-6);
            assertEquals(lp[2][8] + (double) lp[3][9], ll.logProb(), 1e-5);
            assertEquals(ll.tokenGreedy()[0] && ll.tokenGreedy()[1], ll.isGreedy());
        }
    }
}
