package dev.chimera.estimate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Response matrices drawn from a known multidimensional 2PL model (the "generating model" of the tests):
 * theta_i ~ N(0, I); a_j1 = 0.5 + |N(0, 0.7^2)|, a_jk ~ N(0, 0.8^2) for k > 1; b_j ~ N(0, 1.2^2); y_ij ~
 * Bernoulli(sigmoid(a_j . theta_i - b_j)). Merge-like models ("merge0", ...) have theta = l theta_p + (1 - l)
 * theta_q for two random base models p, q and l ~ U(0.2, 0.8).
 */
final class SyntheticIrt {
    final ResponseMatrix matrix;
    final double[][] a;
    final double[] b;
    final double[][] theta;
    final Map<String, List<String>> parents = new LinkedHashMap<>();

    private SyntheticIrt(ResponseMatrix matrix, double[][] a, double[] b, double[][] theta) {
        this.matrix = matrix;
        this.a = a;
        this.b = b;
        this.theta = theta;
    }

    static SyntheticIrt generate(int baseModels, int mergeModels, int items, int dims, long seed) {
        return generate(baseModels, mergeModels, items, dims, seed, 1.0);
    }

    /**
     * As above with a_j and b_j multiplied by {@code scale}: scale 3 gives the sharper, more predictable response
     * patterns of LLM benchmarks (most items nearly always right or wrong for a given ability).
     */
    static SyntheticIrt generate(int baseModels, int mergeModels, int items, int dims, long seed, double scale) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] a = new double[items][dims];
        double[] b = new double[items];
        for (int j = 0; j < items; j++) {
            a[j][0] = 0.5 + Math.abs(0.7 * rng.nextGaussian());
            for (int k = 1; k < dims; k++) {
                a[j][k] = 0.8 * rng.nextGaussian();
            }
            b[j] = 1.2 * rng.nextGaussian();
            for (int k = 0; k < dims; k++) {
                a[j][k] *= scale;
            }
            b[j] *= scale;
        }
        int m = baseModels + mergeModels;
        double[][] theta = new double[m][dims];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < baseModels; i++) {
            for (int k = 0; k < dims; k++) {
                theta[i][k] = rng.nextGaussian();
            }
            names.add("base" + i);
        }
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < mergeModels; i++) {
            int p = rng.nextInt(baseModels);
            int q = (p + 1 + rng.nextInt(baseModels - 1)) % baseModels;
            double l = 0.2 + 0.6 * rng.nextDouble();
            for (int k = 0; k < dims; k++) {
                theta[baseModels + i][k] = l * theta[p][k] + (1 - l) * theta[q][k];
            }
            names.add("merge" + i);
            pairs.add(new String[] {"base" + p, "base" + q});
        }
        int[][] y = new int[m][items];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < items; j++) {
                double z = -b[j];
                for (int k = 0; k < dims; k++) {
                    z += a[j][k] * theta[i][k];
                }
                y[i][j] = rng.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
            }
        }
        List<String> itemIds = new ArrayList<>();
        for (int j = 0; j < items; j++) {
            itemIds.add("q" + j);
        }
        SyntheticIrt s = new SyntheticIrt(ResponseMatrix.of(names, itemIds, y), a, b, theta);
        for (int i = 0; i < mergeModels; i++) {
            s.parents.put("merge" + i, List.of(pairs.get(i)));
        }
        return s;
    }

    /** Names of the merge-like models. */
    Set<String> mergeNames() {
        return parents.keySet();
    }
}
