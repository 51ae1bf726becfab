package dev.chimera.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Leave-models-out benchmark on data from a known IRT model ({@link SyntheticIrt}, "LLM-like" scale 3: sharp item
 * curves) with merge-like models whose abilities are convex combinations of two base models'.
 */
class EstimatorBenchTest {
    static final int[] NS = {10, 20, 50, 100};
    static final List<String> METHODS = List.of(
            "random/mean",
            "random/pirt",
            "random/gpirt",
            "anchor/weighted",
            "anchor/gpirt",
            "anchor-irt/gpirt",
            "random/mpirt",
            "random/gmpirt");
    static SyntheticIrt data;
    static EstimatorBench.Result result;

    @BeforeAll
    static void run() {
        data = SyntheticIrt.generate(100, 30, 800, 2, 21, 3.0);
        result = EstimatorBench.run(
                data.matrix,
                NS,
                METHODS,
                5,
                EstimatorBench.Options.defaults()
                        .withFolds(4)
                        .withRepeats(2)
                        .withKmeansRestarts(2)
                        .withParents(data.parents));
        System.out.print(result.toTable());
        for (int n : NS) {
            System.out.printf(
                    "n=%d merge-like models: random/mean %.4f random/mpirt %.4f random/gmpirt %.4f%n",
                    n,
                    result.maeOver("random/mean", n, data.mergeNames()),
                    result.mae("random/mpirt", n),
                    result.mae("random/gmpirt", n));
        }
    }

    @Test
    void errorsShrinkAsNGrows() {
        for (String m : METHODS) {
            for (int k = 1; k < NS.length; k++) {
                assertTrue(
                        result.mae(m, NS[k]) < result.mae(m, NS[k - 1]),
                        m + ": MAE at n=" + NS[k] + " not below n=" + NS[k - 1] + "\n" + result.toTable());
            }
        }
    }

    @Test
    void irtEstimatorsBeatTheMeanOfRandomItemsAtTwenty() {
        double mean = result.mae("random/mean", 20);
        assertTrue(result.mae("random/pirt", 20) < mean, result.toTable());
        assertTrue(result.mae("random/gpirt", 20) < mean, result.toTable());
    }

    @Test
    void mpIrtBeatsTheRandomMeanOnMergeLikeModels() {
        for (int n : new int[] {10, 20}) {
            double mean = result.maeOver("random/mean", n, data.mergeNames());
            assertTrue(result.mae("random/mpirt", n) < mean, "n=" + n + "\n" + result.toTable());
            assertEquals(data.mergeNames().size(), result.count("random/mpirt", n));
        }
    }

    @Test
    void gpIrtMeetsTheIssueTargets() {
        // tinyBenchmarks' configuration: anchor points + gp-IRT
        assertTrue(result.mae("anchor/gpirt", 50) <= 0.03, result.toTable());
        assertTrue(result.mae("anchor/gpirt", 100) <= 0.02, result.toTable());
    }

    @Test
    void outputsTableAndJson() {
        String table = result.toTable();
        assertTrue(table.contains("random/mean") && table.contains("n=100"), table);
        String json = result.toJson();
        assertTrue(json.contains("\"mae\"") && json.contains("\"anchor/gpirt\""), json);
        @SuppressWarnings("unchecked")
        Map<String, Object> mae = (Map<String, Object>) result.toMap().get("mae");
        assertEquals(METHODS.size(), mae.size());
    }

    @Test
    void sameSeedSameResult() {
        SyntheticIrt small = SyntheticIrt.generate(24, 6, 150, 2, 4, 3.0);
        EstimatorBench.Options o = EstimatorBench.Options.defaults()
                .withFolds(3)
                .withRepeats(1)
                .withKmeansRestarts(1)
                .withParents(small.parents);
        List<String> ms = List.of("random/mean", "stratified/weighted", "anchor-irt/gpirt", "random/gmpirt-auto");
        EstimatorBench.Result r1 = EstimatorBench.run(small.matrix, new int[] {5, 15}, ms, 77, o);
        EstimatorBench.Result r2 = EstimatorBench.run(small.matrix, new int[] {5, 15}, ms, 77, o);
        assertEquals(r1.perModel(), r2.perModel());
        EstimatorBench.Result r3 = EstimatorBench.run(small.matrix, new int[] {5, 15}, ms, 78, o);
        assertTrue(!r1.perModel().equals(r3.perModel()), "a different seed changes the selections");
    }

    @Test
    void rejectsBadMethods() {
        SyntheticIrt small = SyntheticIrt.generate(6, 0, 20, 2, 4);
        assertThrows(
                EstimateException.class, () -> EstimatorBench.run(small.matrix, new int[] {5}, List.of("random"), 1));
        assertThrows(
                EstimateException.class,
                () -> EstimatorBench.run(small.matrix, new int[] {5}, List.of("random/foo"), 1));
        assertThrows(
                EstimateException.class,
                () -> EstimatorBench.run(small.matrix, new int[] {50}, List.of("random/mean"), 1));
    }
}
