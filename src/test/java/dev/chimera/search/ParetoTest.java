package dev.chimera.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParetoTest {
    @Test
    void dominanceIsForMaximisation() {
        assertTrue(Pareto.dominates(new double[] {2, 1}, new double[] {1, 1}));
        assertFalse(Pareto.dominates(new double[] {1, 1}, new double[] {1, 1}));
        assertFalse(Pareto.dominates(new double[] {2, 0}, new double[] {1, 1}));
        assertTrue(Pareto.dominates(new double[] {0, 0}, new double[] {Double.NaN, 0}), "NaN is worst");
        assertFalse(Pareto.dominates(new double[] {0.0}, new double[] {-0.0}));
    }

    /** The rank from the fast non-dominated sort equals the definition: peel off the non-dominated set repeatedly. */
    @Test
    void ranksMatchRepeatedPeeling() {
        Rng r = new Rng(11);
        for (int trial = 0; trial < 200; trial++) {
            int m = 2 + trial % 3;
            int n = 1 + r.nextIndex(40);
            List<double[]> pts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double[] p = new double[m];
                for (int k = 0; k < m; k++) {
                    p[k] = r.nextIndex(5); // coarse values: ties and duplicates
                }
                pts.add(p);
            }
            assertArrayEquals(peel(pts), Pareto.ranks(pts));
            int[] rank = Pareto.ranks(pts);
            List<int[]> fronts = Pareto.fronts(pts);
            int seen = 0;
            for (int f = 0; f < fronts.size(); f++) {
                for (int i : fronts.get(f)) {
                    assertEquals(f, rank[i]);
                    seen++;
                }
            }
            assertEquals(n, seen);
        }
    }

    private static int[] peel(List<double[]> pts) {
        int[] rank = new int[pts.size()];
        Arrays.fill(rank, -1);
        int left = pts.size();
        for (int f = 0; left > 0; f++) {
            List<Integer> front = new ArrayList<>();
            for (int i = 0; i < pts.size(); i++) {
                if (rank[i] >= 0) {
                    continue;
                }
                boolean dominated = false;
                for (int j = 0; j < pts.size(); j++) {
                    dominated |= rank[j] < 0 && Pareto.dominates(pts.get(j), pts.get(i));
                }
                if (!dominated) {
                    front.add(i);
                }
            }
            for (int i : front) {
                rank[i] = f;
            }
            left -= front.size();
        }
        return rank;
    }

    /**
     * Crowding distance by hand (Deb et al. 2002, Fig. 4): A(0, 4) B(1, 2.5) C(2, 1) D(4, 0); extremes infinite,
     * B = (2 - 0)/4 + (4 - 1)/4 = 1.25, C = (4 - 1)/4 + (2.5 - 0)/4 = 1.375.
     */
    @Test
    void crowdingDistanceByHand() {
        double[] d = Pareto.crowdingDistance(
                List.of(new double[] {2, 1}, new double[] {0, 4}, new double[] {4, 0}, new double[] {1, 2.5}));
        assertEquals(1.375, d[0], 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, d[1]);
        assertEquals(Double.POSITIVE_INFINITY, d[2]);
        assertEquals(1.25, d[3], 1e-12);
        assertArrayEquals(
                new double[] {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY},
                Pareto.crowdingDistance(List.of(new double[] {0, 1}, new double[] {1, 0})));
    }

    @Test
    void nonDominatedKeepsTiesAndSortsById() {
        List<Evaluation> es = List.of(
                new Evaluation(new Candidate(5, new double[] {0}), new double[] {1, 1}),
                new Evaluation(new Candidate(2, new double[] {0}), new double[] {1, 1}),
                new Evaluation(new Candidate(3, new double[] {0}), new double[] {0, 2}),
                new Evaluation(new Candidate(1, new double[] {0}), new double[] {0, 1}),
                new Evaluation(new Candidate(4, new double[] {0}), new double[] {Double.NaN, 5}));
        List<Long> ids =
                Pareto.nonDominated(es).stream().map(e -> e.candidate().id()).toList();
        assertEquals(List.of(2L, 3L, 4L, 5L), ids);
    }

    /** 2-D hypervolume agrees with the test helper's minimisation version on random sets. */
    @Test
    void hypervolume2dMatchesTheHelper() {
        Rng r = new Rng(12);
        for (int trial = 0; trial < 100; trial++) {
            List<double[]> min = new ArrayList<>();
            List<double[]> max = new ArrayList<>();
            for (int i = 0, n = r.nextIndex(30); i < n; i++) {
                double a = r.nextDouble() * 1.2;
                double b = r.nextDouble() * 1.2;
                min.add(new double[] {a, b});
                max.add(new double[] {-a, -b});
            }
            assertEquals(Problems.hypervolume2d(min, 1, 1), Pareto.hypervolume(max, new double[] {-1, -1}), 1e-12);
        }
    }

    /** In any dimension, hypervolume equals inclusion-exclusion over the boxes [ref, p]. */
    @Test
    void hypervolumeMatchesInclusionExclusion() {
        Rng r = new Rng(13);
        for (int trial = 0; trial < 60; trial++) {
            int m = 1 + trial % 4;
            int n = 1 + r.nextIndex(7);
            double[] ref = new double[m];
            List<double[]> pts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double[] p = new double[m];
                for (int k = 0; k < m; k++) {
                    p[k] = r.nextDouble() * 2 - 0.2; // some points not better than the reference
                }
                pts.add(p);
            }
            assertEquals(inclusionExclusion(pts, ref), Pareto.hypervolume(pts, ref), 1e-12);
        }
    }

    private static double inclusionExclusion(List<double[]> pts, double[] ref) {
        double total = 0;
        for (int mask = 1; mask < 1 << pts.size(); mask++) {
            double[] meet = null;
            for (int i = 0; i < pts.size(); i++) {
                if ((mask & 1 << i) != 0) {
                    double[] p = pts.get(i);
                    if (meet == null) {
                        meet = p.clone();
                    } else {
                        for (int k = 0; k < p.length; k++) {
                            meet[k] = Math.min(meet[k], p[k]);
                        }
                    }
                }
            }
            double v = 1;
            for (int k = 0; k < ref.length; k++) {
                v *= Math.max(0, meet[k] - ref[k]);
            }
            total += Integer.bitCount(mask) % 2 == 1 ? v : -v;
        }
        return total;
    }

    /** The ZDT reference values: dense samples of the true fronts approach 2/3 (ZDT1) and 1/3 (ZDT2) from below. */
    @Test
    void zdtTrueFrontHypervolumes() {
        List<double[]> z1 = new ArrayList<>();
        List<double[]> z2 = new ArrayList<>();
        int n = 10_000;
        for (int i = 0; i <= n; i++) {
            double f1 = i / (double) n;
            z1.add(new double[] {-f1, -(1 - Math.sqrt(f1))});
            z2.add(new double[] {-f1, -(1 - f1 * f1)});
        }
        double h1 = Pareto.hypervolume(z1, new double[] {-1, -1});
        double h2 = Pareto.hypervolume(z2, new double[] {-1, -1});
        assertTrue(h1 < 2.0 / 3 && h1 > 2.0 / 3 - 1e-3, "ZDT1 " + h1);
        assertTrue(h2 < 1.0 / 3 && h2 > 1.0 / 3 - 1e-3, "ZDT2 " + h2);
    }
}
