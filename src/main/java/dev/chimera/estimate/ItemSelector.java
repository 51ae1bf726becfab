package dev.chimera.estimate;

import dev.chimera.Registry;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Seeded choice of n items out of N from a reference response matrix (and, for anchor-irt, its IRT fit).
 *
 * <ul>
 *   <li>{@code random}: n distinct items uniformly, weights 1/n (tinyBenchmarks' {@code get_random} without
 *       sub-scenarios).
 *   <li>{@code stratified}: items sorted by reference difficulty (1 - fraction of reference models correct, ties by
 *       index) cut into n near-equal strata; one uniformly random item per stratum, weight = stratum size / N.
 *   <li>{@code anchor}: tinyBenchmarks' anchor points ({@code get_anchor_points_weights}): k-means with k = n on the
 *       items' correctness vectors over the reference models, best inertia of {@code restarts} k-means++ runs; the
 *       anchor of a cluster is the item nearest its centroid, weight = cluster size / N.
 *   <li>{@code anchor-irt}: the same clustering on the items' IRT embeddings (a_j, b_j) (tinyBenchmarks'
 *       "anchor-irt", which clusters the stacked (A, B) parameters).
 * </ul>
 */
public final class ItemSelector {
    private static final Registry<ItemSelection> KINDS = new Registry<>(
            "item selection",
            ItemSelection.class,
            ItemSelection::name,
            EstimateException::new,
            List.of(
                    named("random", ItemSelector::random),
                    named("stratified", ItemSelector::stratified),
                    named("anchor", (c, n, seed) -> c.anchors("anchor", c.correctnessVectors(), n, seed)),
                    named("anchor-irt", (c, n, seed) -> {
                        if (c.irt == null) {
                            throw new EstimateException("anchor-irt selection needs an IRT model");
                        }
                        return c.anchors("anchor-irt", c.irtVectors(), n, seed);
                    })));

    private interface Rule {
        Selection select(ItemSelector context, int n, long seed);
    }

    private static ItemSelection named(String name, Rule rule) {
        return new ItemSelection() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Selection select(ItemSelector context, int n, long seed) {
                return rule.select(context, n, seed);
            }
        };
    }

    /** Adds a selection under its name for every later extract stage in this JVM; a taken name is refused. */
    public static void register(ItemSelection selection) {
        KINDS.register(selection);
    }

    /** Every selection's name, built-in ones first. */
    public static List<String> kinds() {
        return KINDS.names();
    }

    private final ResponseMatrix reference;
    private final IrtModel irt;
    private final int restarts;

    /**
     * @param reference the reference models' responses
     * @param irt IRT fit of the reference (needed only for anchor-irt; may be null otherwise)
     * @param restarts k-means restarts (tinyBenchmarks uses 5)
     */
    public ItemSelector(ResponseMatrix reference, IrtModel irt, int restarts) {
        this.reference = reference;
        this.irt = irt;
        this.restarts = Math.max(1, restarts);
    }

    /** The items of the registered selection {@code kind}. */
    public Selection select(String kind, int n, long seed) {
        int total = reference.items();
        if (n < 1 || n > total) {
            throw new EstimateException("cannot select " + n + " of " + total + " items");
        }
        return KINDS.get(kind).select(this, n, seed);
    }

    /** The reference models' responses, every item. */
    public ResponseMatrix reference() {
        return reference;
    }

    /** The IRT fit of the reference, or null when the objective's selection and estimator need none. */
    public IrtModel irt() {
        return irt;
    }

    /** {@code random}: n distinct items uniformly, weights 1/n. */
    public Selection random(int n, long seed) {
        int total = reference.items();
        int[] perm = permutation(total, new SplittableRandom(seed));
        int[] chosen = Arrays.copyOf(perm, n);
        Arrays.sort(chosen);
        return Selection.uniform("random", chosen);
    }

    /** {@code stratified}: one random item per stratum of reference difficulty. */
    public Selection stratified(int n, long seed) {
        int total = reference.items();
        double[] diff = new double[total];
        for (int j = 0; j < total; j++) {
            diff[j] = 1 - reference.itemMean(j);
        }
        Integer[] order = IntStream.range(0, total).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(j -> diff[j]).thenComparingInt(j -> j));
        SplittableRandom rng = new SplittableRandom(seed);
        int[] items = new int[n];
        double[] w = new double[n];
        for (int s = 0; s < n; s++) {
            int lo = (int) ((long) s * total / n);
            int hi = (int) ((long) (s + 1) * total / n);
            items[s] = order[lo + rng.nextInt(hi - lo)];
            w[s] = (double) (hi - lo) / total;
        }
        return new Selection("stratified", items, w);
    }

    private double[][] correctnessVectors() {
        int total = reference.items();
        int m = reference.models();
        double[][] x = new double[total][m];
        for (int j = 0; j < total; j++) {
            for (int i = 0; i < m; i++) {
                x[j][i] = reference.get(i, j);
            }
        }
        return x;
    }

    private double[][] irtVectors() {
        int total = irt.items();
        int d = irt.dims();
        double[][] x = new double[total][d + 1];
        for (int j = 0; j < total; j++) {
            System.arraycopy(irt.a(j), 0, x[j], 0, d);
            x[j][d] = irt.b(j);
        }
        return x;
    }

    private Selection anchors(String kind, double[][] x, int k, long seed) {
        KMeans.Result best = null;
        for (int r = 0; r < restarts; r++) {
            KMeans.Result res = KMeans.run(x, k, seed * 1000003L + 1000L * r, 100);
            if (best == null || res.inertia() < best.inertia()) {
                best = res;
            }
        }
        int total = x.length;
        int[] items = new int[k];
        double[] w = new double[k];
        boolean[] taken = new boolean[total];
        int[] sizes = new int[k];
        for (int j = 0; j < total; j++) {
            sizes[best.labels()[j]]++;
        }
        for (int c = 0; c < k; c++) {
            // anchor: item nearest the centroid, preferring members of the cluster and never an item already taken
            int arg = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int pass = 0; pass < 2 && arg < 0; pass++) {
                for (int j = 0; j < total; j++) {
                    if (taken[j] || (pass == 0 && best.labels()[j] != c)) {
                        continue;
                    }
                    double dd = KMeans.dist2(x[j], best.centroids()[c]);
                    if (dd < bestD) {
                        bestD = dd;
                        arg = j;
                    }
                }
            }
            taken[arg] = true;
            items[c] = arg;
            w[c] = (double) sizes[c] / total;
        }
        return new Selection(kind, items, w);
    }

    static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
