package dev.chimera.merge.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Small inputs whose merged values were worked out by hand from mergekit's formulas. */
class HandWorkedMethodsTest {
    static MethodHarness h;

    @BeforeAll
    static void up() {
        h = new MethodHarness();
    }

    @AfterAll
    static void down() {
        h.close();
    }

    private static final long[] S4 = {4};

    @Test
    void linearNormalizesByWeightSum() {
        // (1*[1,2,3,4] + 3*[5,6,7,8]) / 4 = [4,5,6,7]
        float[] r = h.run(
                "linear",
                List.of(new float[] {1, 2, 3, 4}, new float[] {5, 6, 7, 8}),
                S4,
                -1,
                Map.of(),
                List.of(Map.of("weight", 1.0), Map.of("weight", 3.0)),
                "w",
                false);
        assertArrayEquals(new float[] {4, 5, 6, 7}, r, 1e-6f);
    }

    @Test
    void linearWithoutNormalize() {
        float[] r = h.run(
                "linear",
                List.of(new float[] {1, 2, 3, 4}, new float[] {5, 6, 7, 8}),
                S4,
                -1,
                Map.of("normalize", false),
                List.of(Map.of("weight", 0.5), Map.of("weight", 0.5)),
                "w",
                false);
        assertArrayEquals(new float[] {3, 4, 5, 6}, r, 1e-6f);
    }

    @Test
    void linearOneZeroReturnsFirstExactly() {
        float[] a = {0.1f, -7.25f, 3e-8f, 1e6f};
        float[] r = h.run(
                "linear",
                List.of(a, new float[] {9, 9, 9, 9}),
                S4,
                -1,
                Map.of(),
                List.of(Map.of("weight", 1.0), Map.of("weight", 0.0)),
                "w",
                false);
        assertArrayEquals(a, r, 0f);
    }

    @Test
    void taskArithmeticAddsWeightedDeltas() {
        // base [1,1,1,1]; d1 = [1,0,-1,2], d2 = [0,2,2,-2]; 0.5 d1 + 1.0 d2 = [0.5,2,1.5,-1]; lambda 2 -> [1,4,3,-2]
        float[] r = h.run(
                "task_arithmetic",
                List.of(new float[] {1, 1, 1, 1}, new float[] {2, 1, 0, 3}, new float[] {1, 3, 3, -1}),
                S4,
                0,
                Map.of("lambda", 2.0),
                List.of(Map.of(), Map.of("weight", 0.5), Map.of("weight", 1.0)),
                "w",
                false);
        assertArrayEquals(new float[] {2, 5, 4, -1}, r, 1e-6f);
    }

    @Test
    void taskArithmeticWeightZeroReturnsBase() {
        float[] base = {0.3f, -0.2f, 5f, 1e-3f};
        float[] r = h.run(
                "task_arithmetic",
                List.of(base, new float[] {9, 8, 7, 6}),
                S4,
                0,
                Map.of(),
                List.of(Map.of(), Map.of("weight", 0.0)),
                "w",
                false);
        assertArrayEquals(base, r, 0f);
    }

    @Test
    void tiesElectsSignsAndDividesByAgreeingWeights() {
        // base 0. d1 = [3, -1, 0.5, 0], d2 = [-1, -2, 0.25, 1], weights 1 and 1, density 1 (no trimming)
        // sum = [2, -3, 0.75, 1] -> signs [+, -, +, +]
        // entry0: only d1 agrees -> 3/1 = 3; entry1: both agree -> (-1-2)/2 = -1.5; entry2: (0.5+0.25)/2 = 0.375;
        // entry3: d1 is exactly 0 (never in the mask), d2 agrees -> 1/1 = 1
        float[] r = h.run(
                "ties",
                List.of(new float[4], new float[] {3, -1, 0.5f, 0}, new float[] {-1, -2, 0.25f, 1}),
                S4,
                0,
                Map.of(),
                List.of(Map.of(), Map.of("weight", 1.0), Map.of("weight", 1.0)),
                "w",
                false);
        assertArrayEquals(new float[] {3, -1.5f, 0.375f, 1}, r, 1e-6f);
    }

    @Test
    void tiesZeroSumCountsAsPositive() {
        // d1 = [1], d2 = [-1]: sum 0 -> elected +, only d1 kept -> 1
        float[] r = h.run(
                "ties",
                List.of(new float[1], new float[] {1}, new float[] {-1}),
                new long[] {1},
                0,
                Map.of(),
                List.of(Map.of(), Map.of("weight", 1.0), Map.of("weight", 1.0)),
                "w",
                false);
        assertArrayEquals(new float[] {1}, r, 0f);
    }

    @Test
    void tiesMagnitudeTrimKeepsTopK() {
        // density 0.5 of 4 entries keeps int(2) largest |d|: d1 = [4,-1,0.5,-3] keeps 4 and -3
        float[] r = h.run(
                "ties",
                List.of(new float[4], new float[] {4, -1, 0.5f, -3}),
                S4,
                0,
                Map.of(),
                List.of(Map.of(), Map.of("weight", 1.0, "density", 0.5)),
                "w",
                false);
        assertArrayEquals(new float[] {4, 0, 0, -3}, r, 0f);
    }

    @Test
    void tiesWithDensityOneAndOneModelEqualsTaskArithmeticWhenNotNormalized() {
        float[] b = {1, 2, 3, 4};
        float[] x = {1.5f, 1, 3, 6};
        float[] ties = h.run(
                "ties",
                List.of(b, x),
                S4,
                0,
                Map.of("normalize", false),
                List.of(Map.of(), Map.of("weight", 0.7, "density", 1.0)),
                "w",
                false);
        float[] ta = h.run(
                "task_arithmetic",
                List.of(b, x),
                S4,
                0,
                Map.of(),
                List.of(Map.of(), Map.of("weight", 0.7)),
                "w",
                false);
        assertArrayEquals(ta, ties, 1e-6f);
    }

    @Test
    void breadcrumbsDropsOutliersAndSmallest() {
        // 10 entries |d| = 1..10, density 0.5, gamma 0.1: n_top = 1, n_bot = 10 - 5 - 1 = 4: keep ranks 4..8 ->
        // 5,6,7,8,9
        float[] d = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10};
        float[] r = h.run(
                "breadcrumbs",
                List.of(new float[10], d),
                new long[] {10},
                0,
                Map.of(),
                List.of(Map.of(), Map.of("weight", 1.0, "density", 0.5, "gamma", 0.1)),
                "w",
                false);
        assertArrayEquals(new float[] {0, 0, 0, 0, 5, -6, 7, -8, 9, 0}, r, 0f);
    }

    @Test
    void breadcrumbsWithNoOutliersKeepsNothingLikeMergekit() {
        // gamma 0.01 of 10 entries -> n_top = 0 -> Python's indices[n_bot:-0] is empty: the delta is dropped
        float[] d = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10};
        float[] base = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        float[] x = new float[10];
        for (int i = 0; i < 10; i++) {
            x[i] = base[i] + d[i];
        }
        float[] r = h.run(
                "breadcrumbs",
                List.of(base, x),
                new long[] {10},
                0,
                Map.of(),
                List.of(Map.of(), Map.of("weight", 1.0, "density", 0.5)),
                "w",
                false);
        assertArrayEquals(base, r, 0f);
    }

    @Test
    void slerpEndpointsAndMidpoint() {
        float[] a = {1, 0};
        float[] b = {0, 1};
        long[] s = {2};
        assertArrayEquals(a, h.run("slerp", List.of(a, b), s, 0, Map.of("t", 0.0), List.of(), "w", false), 1e-6f);
        assertArrayEquals(b, h.run("slerp", List.of(a, b), s, 0, Map.of("t", 1.0), List.of(), "w", false), 1e-6f);
        float c = (float) Math.sqrt(0.5);
        assertArrayEquals(
                new float[] {c, c},
                h.run("slerp", List.of(a, b), s, 0, Map.of("t", 0.5), List.of(), "w", false),
                1e-6f);
    }

    @Test
    void slerpFallsBackToLerpForColinearVectors() {
        float[] a = {1, 2};
        float[] b = {2, 4}; // same direction: lerp 0.25 -> 0.75 a + 0.25 b = [1.25, 2.5]
        assertArrayEquals(
                new float[] {1.25f, 2.5f},
                h.run("slerp", List.of(a, b), new long[] {2}, 0, Map.of("t", 0.25), List.of(), "w", false),
                1e-6f);
    }

    @Test
    void slerpUsesBaseAsStart() {
        float[] a = {1, 0};
        float[] b = {0, 1};
        // base is the second input: t = 0 gives b
        assertArrayEquals(
                b, h.run("slerp", List.of(a, b), new long[] {2}, 1, Map.of("t", 0.0), List.of(), "w", false), 1e-6f);
    }

    @Test
    void slerpNeedsExactlyTwoModels() {
        assertThrows(
                MergeException.class,
                () -> h.run(
                        "slerp",
                        List.of(new float[] {1}, new float[] {2}, new float[] {3}),
                        new long[] {1},
                        0,
                        Map.of("t", 0.5),
                        List.of(),
                        "w",
                        false));
    }

    @Test
    void ramKeepsUniqueTaskVectorsAndAveragesSharedOnes() {
        // base 0; tv1 = [1, 0, 2, 1e-6], tv2 = [3, 0, 0, 0]; epsilon 1e-5: contributions [2, 0, 1, 0]
        // -> position 0 shared: (1 + 3) / 2 = 2; position 2 only model 1: 2; 1e-6 is below epsilon: 0
        List<float[]> in = List.of(new float[4], new float[] {1, 0, 2, 1e-6f}, new float[] {3, 0, 0, 0});
        float[] r = h.run("ram", in, new long[] {4}, 0, Map.of(), List.of(), "w", false);
        assertArrayEquals(new float[] {2, 0, 2, 0}, r, 1e-6f);
        // ramplus_tl: model 1 shares 1 parameter and owns 1: rho = 1, clamped to alpha 0.2, lambda = 1 + 0.1 * 0.2;
        // its unique 2 becomes 2.04; model 2 owns none (rho = 1 / epsilon, clamped: its lambda scales nothing)
        float[] p = h.run("ramplus_tl", in, new long[] {4}, 0, Map.of(), List.of(), "w", false);
        assertArrayEquals(new float[] {2, 0, 2.04f, 0}, p, 1e-6f);
        // r and alpha as given: r 0.5, alpha 2 -> lambda = 1 + 0.5 * 1 = 1.5
        float[] q = h.run("ramplus_tl", in, new long[] {4}, 0, Map.of("r", 0.5, "alpha", 2.0), List.of(), "w", false);
        assertArrayEquals(new float[] {2, 0, 3, 0}, q, 1e-6f);
        // a base is required
        assertThrows(MergeException.class, () -> h.run("ram", in, new long[] {4}, -1, Map.of(), List.of(), "w", false));
    }

    @Test
    void nearswapFormula() {
        // base [0, 0, 0], x [0.1, 1, -4], t 0.5: w = clamp(0.5/|d|, 0, 1) = [1, 0.5, 0.125] -> [0.1, 0.5, -0.5]
        float[] r = h.run(
                "nearswap",
                List.of(new float[3], new float[] {0.1f, 1, -4}),
                new long[] {3},
                0,
                Map.of("t", 0.5),
                List.of(),
                "w",
                false);
        assertArrayEquals(new float[] {0.1f, 0.5f, -0.5f}, r, 1e-6f);
    }

    @Test
    void modelStockTwoFinetunes() {
        // base 0; x1 = [1,0], x2 = [0,1]: cos 0 -> t = 0 -> output base
        float[] r = h.run(
                "model_stock",
                List.of(new float[2], new float[] {1, 0}, new float[] {0, 1}),
                new long[] {2},
                0,
                Map.of(),
                List.of(),
                "w",
                false);
        assertArrayEquals(new float[] {0, 0}, r, 1e-6f);
        // x1 = [1,1], x2 = [1,1]: cos 1 -> t = 2/(1+1) = 1 -> mean = [1,1]
        float[] r2 = h.run(
                "model_stock",
                List.of(new float[2], new float[] {1, 1}, new float[] {1, 1}),
                new long[] {2},
                0,
                Map.of(),
                List.of(),
                "w",
                false);
        assertArrayEquals(new float[] {1, 1}, r2, 1e-6f);
        // x1 = [1,0], x2 = [1,1]: cos = 1/sqrt2; t = 2c/(1+c)
        double c = 1 / Math.sqrt(2);
        double t = 2 * c / (1 + c);
        float[] r3 = h.run(
                "model_stock",
                List.of(new float[2], new float[] {1, 0}, new float[] {1, 1}),
                new long[] {2},
                0,
                Map.of(),
                List.of(),
                "w",
                false);
        assertArrayEquals(new float[] {(float) t, (float) (t * 0.5)}, r3, 1e-6f);
    }

    @Test
    void passthroughScales() {
        float[] r = h.run(
                "passthrough",
                List.of(new float[] {1, -2}),
                new long[] {2},
                -1,
                Map.of(),
                List.of(Map.of("scale", 0.5)),
                "w",
                false);
        assertArrayEquals(new float[] {0.5f, -1}, r, 0f);
    }

    @Test
    void karcherOfOrthogonalUnitVectorsIsTheBisector() {
        float[] r = h.run(
                "karcher",
                List.of(new float[] {1, 0}, new float[] {0, 1}),
                new long[] {2},
                -1,
                Map.of(),
                List.of(),
                "w",
                false);
        float c = (float) Math.sqrt(0.5);
        assertArrayEquals(new float[] {c, c}, r, 1e-5f);
    }

    @Test
    void multislerpOfTwoOrthogonalEqualWeights() {
        // unit vectors e1, e2, weights 1/2: mean direction (e1+e2)/sqrt2; tangent parts cancel -> result = mean * avg
        // norm 1
        float[] r = h.run(
                "multislerp",
                List.of(new float[] {1, 0}, new float[] {0, 1}),
                new long[] {2},
                -1,
                Map.of(),
                List.of(Map.of("weight", 1.0), Map.of("weight", 1.0)),
                "w",
                false);
        float c = (float) Math.sqrt(0.5);
        assertArrayEquals(new float[] {c, c}, r, 1e-5f);
    }

    @Test
    void nuslerpWeightsGiveT() {
        // no base, flatten: weights 1 and 3 -> t = 0.75 between e1 and e2 -> [cos(0.75*pi/2), sin(0.75*pi/2)]
        float[] r = h.run(
                "nuslerp",
                List.of(new float[] {1, 0}, new float[] {0, 1}),
                new long[] {2},
                -1,
                Map.of(),
                List.of(Map.of("weight", 1.0), Map.of("weight", 3.0)),
                "w",
                false);
        double th = 0.75 * Math.PI / 2;
        assertArrayEquals(new float[] {(float) Math.cos(th), (float) Math.sin(th)}, r, 1e-5f);
    }

    @Test
    void densityOutOfRangeIsRefused() {
        MergeException e = assertThrows(
                MergeException.class,
                () -> h.run(
                        "ties",
                        List.of(new float[1], new float[] {1}),
                        new long[] {1},
                        0,
                        Map.of(),
                        List.of(Map.of(), Map.of("weight", 1.0, "density", 1.5)),
                        "w",
                        false));
        assertEquals(true, e.getMessage().contains("density 1.5"), e.getMessage());
    }

    @Test
    void dellaEpsilonOutOfRangeIsRefused() {
        MergeException e = assertThrows(
                MergeException.class,
                () -> h.run(
                        "della",
                        List.of(new float[2], new float[] {1, 2}),
                        new long[] {2},
                        0,
                        Map.of(),
                        List.of(Map.of(), Map.of("weight", 1.0, "density", 0.1, "epsilon", 0.15)),
                        "w",
                        false));
        assertEquals(true, e.getMessage().contains("epsilon"), e.getMessage());
    }
}
