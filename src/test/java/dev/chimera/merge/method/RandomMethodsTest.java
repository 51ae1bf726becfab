package dev.chimera.merge.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The random sparsifiers checked by their statistics (mergekit's outputs depend on torch's generator, so they
 * cannot be compared value by value): keep rates, the L1 rescale identity, DELLA's rank-dependent keep
 * probability, and reproducibility for a seed.
 */
class RandomMethodsTest {
    static MethodHarness h;
    static final int N = 40_000;
    static float[] base = new float[N];
    static float[] x = new float[N];

    @BeforeAll
    static void up() {
        h = new MethodHarness();
        Random r = new Random(5);
        for (int i = 0; i < N; i++) {
            base[i] = (float) r.nextGaussian();
            x[i] = base[i] + (float) r.nextGaussian() * 0.1f;
        }
    }

    @AfterAll
    static void down() {
        h.close();
    }

    float[] run(String method, double density, Map<String, Object> extra, long seed) {
        Map<String, Object> p = new HashMap<>(Map.of("weight", 1.0, "density", density));
        p.putAll(extra);
        return h.run(
                method,
                List.of(base, x),
                List.of(),
                new long[] {N},
                0,
                Map.of("rescale", false),
                List.of(Map.of(), p),
                "t",
                false,
                seed);
    }

    static int kept(float[] merged) {
        int k = 0;
        for (int i = 0; i < N; i++) {
            k += merged[i] != base[i] ? 1 : 0;
        }
        return k;
    }

    @Test
    void dareKeepsTheDensityShareWithinFourSigma() {
        double p = 0.3;
        int k = kept(run("dare_linear", p, Map.of(), 1));
        double sigma = Math.sqrt(N * p * (1 - p));
        assertTrue(Math.abs(k - N * p) < 4 * sigma, "kept " + k + " of " + N);
    }

    @Test
    void dareRescaleRestoresTheL1Norm() {
        float[] r = h.run(
                "dare_linear",
                List.of(base, x),
                List.of(),
                new long[] {N},
                0,
                Map.of("rescale", true),
                List.of(Map.of(), Map.of("weight", 1.0, "density", 0.25)),
                "t",
                false,
                3);
        double l1Delta = 0;
        double l1Merged = 0;
        for (int i = 0; i < N; i++) {
            l1Delta += Math.abs((double) x[i] - base[i]);
            l1Merged += Math.abs((double) r[i] - base[i]);
        }
        assertEquals(l1Delta, l1Merged, 1e-3 * l1Delta);
    }

    @Test
    void sameSeedSameMaskOtherSeedOtherMask() {
        assertArrayEquals(run("dare_ties", 0.5, Map.of(), 9), run("dare_ties", 0.5, Map.of(), 9), 0f);
        float[] a = run("dare_ties", 0.5, Map.of(), 9);
        float[] b = run("dare_ties", 0.5, Map.of(), 10);
        int same = 0;
        for (int i = 0; i < N; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        assertTrue(same < 0.6 * N, "two seeds should agree on about half the entries, agreed on " + same);
    }

    @Test
    void dellaKeepsLargeMagnitudesMoreOften() {
        // density 0.5, epsilon 0.4: keep probability rises from 0.1 (smallest |d|) to 0.9 (largest)
        float[] r = run("della_linear", 0.5, Map.of("epsilon", 0.4), 4);
        Integer[] order = new Integer[N];
        for (int i = 0; i < N; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> Math.abs(x[i] - base[i])));
        int low = 0;
        int high = 0;
        int q = N / 10;
        for (int j = 0; j < q; j++) {
            low += r[order[j]] != base[order[j]] ? 1 : 0;
            high += r[order[N - 1 - j]] != base[order[N - 1 - j]] ? 1 : 0;
        }
        // expected keep rate in the bottom decile ~ 0.1 + 0.8 * 0.05 = 0.14, top decile ~ 0.86
        assertEquals(0.14, (double) low / q, 0.03);
        assertEquals(0.86, (double) high / q, 0.03);
    }

    @Test
    void uniformNumbersDoNotDependOnHowTheTensorIsSplit() {
        TensorRandom r = new TensorRandom(11, "model.embed_tokens.weight");
        try (var m = NDManager.newBaseManager("PyTorch")) {
            var shape = new Shape(5, 10);
            float[] whole = r.uniform(m, 50, 2, shape).toFloatArray();
            float[] pieces = r.uniform(m, 50, 2, shape, 7).toFloatArray();
            assertArrayEquals(whole, pieces, 0f);
            for (int i = 0; i < 50; i++) {
                assertEquals(TensorRandom.uniformAt(r.key(2), i), whole[i], 0f);
                assertTrue(whole[i] >= 0 && whole[i] < 1);
            }
        }
    }
}
