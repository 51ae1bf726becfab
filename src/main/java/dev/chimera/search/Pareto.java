package dev.chimera.search;

import io.jenetics.ext.moea.Vec;
import io.jenetics.util.ISeq;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Pareto utilities for maximised objective vectors: dominance, non-dominated sorting and crowding distance (Deb,
 * Pratap, Agarwal, Meyarivan 2002, "A fast and elitist multiobjective genetic algorithm: NSGA-II", IEEE TEC 6(2),
 * Sec. III-A and III-B) and hypervolume.
 *
 * <p>Sorting and crowding delegate to jenetics.ext's {@code io.jenetics.ext.moea.Pareto.rank} (the paper's fast
 * non-dominated sort) and {@code crowdingDistance} (the paper's per-set crowding distance, applied here to one front
 * at a time as the paper does; jenetics.ext's own NSGA2Selector computes it over the whole population instead).
 * NaN objectives are ranked as -infinity (a failed evaluation is worse than any result) and -0.0 as 0.0.
 */
public final class Pareto {
    private Pareto() {}

    /** a dominates b (maximisation): at least as good in every objective and better in one. */
    public static boolean dominates(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("objective vectors of different lengths: " + a.length + ", " + b.length);
        }
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            double x = GeneticAlgorithmOperators.rankable(a[i]);
            double y = GeneticAlgorithmOperators.rankable(b[i]);
            if (x < y) {
                return false;
            }
            better |= x > y;
        }
        return better;
    }

    /** Dominance between told results with m objectives, as {@link #dominates(double[], double[])}, without copying. */
    static boolean dominates(Evaluation a, Evaluation b, int m) {
        boolean better = false;
        for (int i = 0; i < m; i++) {
            double x = GeneticAlgorithmOperators.rankable(a.objective(i));
            double y = GeneticAlgorithmOperators.rankable(b.objective(i));
            if (x < y) {
                return false;
            }
            better |= x > y;
        }
        return better;
    }

    /** Non-domination rank of each point: 0 for the non-dominated front, 1 for the front behind it, and so on. */
    public static int[] ranks(List<double[]> points) {
        if (points.isEmpty()) {
            return new int[0];
        }
        return io.jenetics.ext.moea.Pareto.rank(vecs(points));
    }

    /** The fronts, best first, each as indexes into {@code points} in increasing order. */
    public static List<int[]> fronts(List<double[]> points) {
        int[] rank = ranks(points);
        int max = -1;
        for (int r : rank) {
            max = Math.max(max, r);
        }
        int[] sizes = new int[max + 1];
        for (int r : rank) {
            sizes[r]++;
        }
        List<int[]> fronts = new ArrayList<>(max + 1);
        for (int f = 0; f <= max; f++) {
            fronts.add(new int[sizes[f]]);
        }
        int[] fill = new int[max + 1];
        for (int i = 0; i < rank.length; i++) {
            fronts.get(rank[i])[fill[rank[i]]++] = i;
        }
        return fronts;
    }

    /**
     * Crowding distance of each point of one front: infinite for the extremes of each objective, otherwise the sum
     * over objectives of the normalised distance between its two neighbours. Fewer than three points: all infinite.
     */
    public static double[] crowdingDistance(List<double[]> front) {
        if (front.isEmpty()) {
            return new double[0];
        }
        double[] d = io.jenetics.ext.moea.Pareto.crowdingDistance(vecs(front));
        for (int i = 0; i < d.length; i++) {
            if (Double.isNaN(d[i])) {
                d[i] = 0; // infinite objective values give inf/inf; such points are boundary points anyway
            }
        }
        return d;
    }

    /** The evaluations no other evaluation dominates, by candidate id. */
    public static List<Evaluation> nonDominated(Collection<Evaluation> evaluations) {
        List<Evaluation> all = new ArrayList<>(evaluations);
        List<Evaluation> front = new ArrayList<>();
        int m = all.isEmpty() ? 0 : all.get(0).objectives().length;
        for (Evaluation e : all) {
            boolean dominated = false;
            for (Evaluation o : all) {
                if (o != e && dominates(o, e, m)) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                front.add(e);
            }
        }
        front.sort(Comparator.comparingLong(e -> e.candidate().id()));
        return front;
    }

    /**
     * Hypervolume (Zitzler &amp; Thiele 1998) of maximised points: the measure of the region that some point weakly
     * dominates and that dominates {@code reference}. Points not strictly better than the reference in every
     * objective add nothing. Exact, by slicing along the last objective (O(n^(d-1) log n); fine for the front
     * sizes of a population, not for thousands of points in many objectives).
     */
    public static double hypervolume(List<double[]> points, double[] reference) {
        List<double[]> inside = new ArrayList<>();
        for (double[] p : points) {
            if (p.length != reference.length) {
                throw new IllegalArgumentException("point and reference of different lengths");
            }
            boolean ok = true;
            for (int i = 0; i < p.length; i++) {
                ok &= GeneticAlgorithmOperators.rankable(p[i]) > reference[i];
            }
            if (ok) {
                inside.add(p);
            }
        }
        return volume(inside, reference, reference.length);
    }

    /** Hypervolume of the first d coordinates. */
    private static double volume(List<double[]> pts, double[] ref, int d) {
        if (pts.isEmpty()) {
            return 0;
        }
        if (d == 1) {
            double max = ref[0];
            for (double[] p : pts) {
                max = Math.max(max, p[0]);
            }
            return max - ref[0];
        }
        List<double[]> sorted = new ArrayList<>(pts);
        sorted.sort(Comparator.comparingDouble((double[] p) -> -p[d - 1]));
        if (d == 2) {
            // sweep by the second objective, highest first: each point adds the strip its first objective extends
            double area = 0;
            double maxX = ref[0];
            for (int k = 0; k < sorted.size(); k++) {
                double[] p = sorted.get(k);
                double nextY = k + 1 < sorted.size() ? sorted.get(k + 1)[1] : ref[1];
                maxX = Math.max(maxX, p[0]);
                area += (maxX - ref[0]) * (p[1] - nextY);
            }
            return area;
        }
        double v = 0;
        for (int k = 0; k < sorted.size(); k++) {
            double top = sorted.get(k)[d - 1];
            double bottom = k + 1 < sorted.size() ? sorted.get(k + 1)[d - 1] : ref[d - 1];
            if (top > bottom) {
                v += volume(sorted.subList(0, k + 1), ref, d - 1) * (top - bottom);
            }
        }
        return v;
    }

    private static ISeq<Vec<double[]>> vecs(List<double[]> points) {
        List<Vec<double[]>> vs = new ArrayList<>(points.size());
        int m = points.get(0).length;
        for (double[] p : points) {
            if (p.length != m) {
                throw new IllegalArgumentException("objective vectors of different lengths: " + m + ", " + p.length);
            }
            vs.add(Vec.of(GeneticAlgorithmOperators.rankable(p)));
        }
        return ISeq.of(vs);
    }
}
