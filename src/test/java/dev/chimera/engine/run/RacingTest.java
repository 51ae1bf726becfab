package dev.chimera.engine.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.estimate.IrtConfig;
import dev.chimera.estimate.ItemIrt;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Successive halving with a paired racing filter, worked out by hand on 8 items and rungs of 2, 4 and 8. */
class RacingTest {
    private static final List<String> ORDER = List.of("i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7");

    private static Racing racing(double z, String estimator) {
        return new Racing(
                new RunSpec.Fidelity(List.of(2.0, 4.0), 2, z, estimator, 0, 0, 0),
                List.of("t"),
                Map.of("t", ORDER),
                Map.of("t", List.of(2, 4, 8)));
    }

    /** Answers to the items from {@code first} on. */
    private static Map<String, Map<String, Integer>> answers(int first, int... y) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < y.length; i++) {
            m.put(ORDER.get(first + i), y[i]);
        }
        return Map.of("t", m);
    }

    private static RunState.Fidelity progress() {
        // the reference point (the start) on every item: accuracy 4/8
        return RunState.Fidelity.EMPTY.answered(-1, 2, answers(0, 1, 1, 0, 0, 1, 0, 1, 0));
    }

    @Test
    void aCohortIsHalvedRungByRungAgainstTheIncumbent() {
        Racing r = racing(1.0, "paired");
        List<Long> cohort = List.of(0L, 1L, 2L, 3L);
        RunState.Fidelity p = progress();
        Long[] inc = r.incumbents(p, List.of(-1L));
        assertArrayEquals(new Long[] {-1L}, inc);

        Racing.Step s = r.advance(cohort, p, Racing.Basis.of(inc));
        assertEquals(4, s.needs().size(), "every member answers rung 0 first");
        assertEquals(new Racing.Need(0, 0, -1), s.needs().get(0));

        p = p.answered(0, 0, answers(0, 1, 1))
                .answered(1, 0, answers(0, 0, 1))
                .answered(2, 0, answers(0, 1, 0))
                .answered(3, 0, answers(0, 1, 1));
        s = r.advance(cohort, p, Racing.Basis.of(inc));
        // estimates: 0 and 3 match the reference (0.5 + 0), 1 and 2 are half an item worse on average (0.5 - 0.5);
        // ceil(4 / 2) = 2 go up: 0 and 3 (equal estimates: lower id first)
        assertEquals(List.of(new Racing.Need(0, 1, 0), new Racing.Need(3, 1, 0)), s.needs());
        assertTrue(s.ended().isEmpty(), "values are told once the whole cohort's races have ended");
        assertFalse(s.done());

        p = p.answered(0, 1, answers(2, 1, 0)).answered(3, 1, answers(2, 0, 0));
        s = r.advance(cohort, p, Racing.Basis.of(inc));
        // 0: 1 1 1 0 vs 1 1 0 0 -> +0.25, estimate 0.75; 3: the same as the reference -> 0.5; one of two goes up
        assertEquals(List.of(new Racing.Need(0, 2, 1)), s.needs());
        assertTrue(s.ended().isEmpty());

        p = p.answered(0, 2, answers(4, 0, 0, 0, 0));
        s = r.advance(cohort, p, Racing.Basis.of(inc));
        assertTrue(s.done());
        assertTrue(s.needs().isEmpty());
        assertEquals(
                List.of(0L, 1L, 2L, 3L),
                s.ended().stream().map(Racing.Ended::id).toList());
        assertEquals(
                List.of(2, 0, 0, 1), s.ended().stream().map(Racing.Ended::rung).toList());
        assertArrayEquals(new double[] {3 / 8.0}, s.ended().get(0).values(), 1e-12, "exact on the whole split");
        assertArrayEquals(new double[] {0.0}, s.ended().get(1).values(), 1e-12);
        // 3's estimate at rung 1 is 0.5, but 0 went further and scored 3/8: 3 is told no more than that
        assertArrayEquals(new double[] {3 / 8.0}, s.ended().get(3).values(), 1e-12);
        // the reference (4/8) stays the incumbent for later cohorts
        assertArrayEquals(new Long[] {-1L}, r.incumbents(p, List.of(-1L, 0L)));
    }

    @Test
    void theRacingFilterDropsCandidatesClearlyBelowTheIncumbent() {
        // z = 0: a member goes up only if its mean paired difference is >= 0; with a cap of 2, the two equal to the
        // reference go, the two below it end even though the cap had room in a larger cohort
        Racing r = racing(0.0, "mean");
        RunState.Fidelity p = progress().answered(0, 0, answers(0, 0, 1)).answered(1, 0, answers(0, 0, 0));
        Racing.Step s = r.advance(List.of(0L, 1L), p, Racing.Basis.of(new Long[] {-1L}));
        assertTrue(s.done(), "both are below the reference on the items they answered");
        // the mean estimator: plain accuracy on the answered items
        assertArrayEquals(new double[] {0.5}, s.ended().get(0).values(), 1e-12);
        assertArrayEquals(new double[] {0.0}, s.ended().get(1).values(), 1e-12);
        // without an incumbent the filter lets everyone through to the cap
        s = r.advance(List.of(0L, 1L), p, Racing.Basis.of(new Long[] {null}));
        assertEquals(List.of(new Racing.Need(0, 1, 0)), s.needs());
    }

    @Test
    void onlyCandidatesThatLookBetterThanTheIncumbentGetTheWholeSplit() {
        Racing r = racing(1.0, "paired");
        // at rung 1 both match the reference on all 4 items: a tie earns no whole-split evaluation
        RunState.Fidelity p = progress()
                .answered(0, 0, answers(0, 1, 1))
                .answered(1, 0, answers(0, 1, 1))
                .answered(0, 1, answers(2, 0, 0));
        Racing.Step s = r.advance(List.of(0L, 1L), p, Racing.Basis.of(new Long[] {-1L}));
        assertTrue(s.done());
        assertEquals(List.of(0L, 1L), s.ended().stream().map(Racing.Ended::id).toList());
        assertArrayEquals(new double[] {0.5}, s.ended().get(0).values(), 1e-12);
        assertEquals(1, s.ended().get(0).rung());
        assertEquals(0, s.ended().get(1).rung());
    }

    @Test
    void noRaceThatEndedLowerIsToldMoreThanOneThatWentFurther() {
        List<Racing.Ended> told = Racing.consistent(List.of(
                new Racing.Ended(5, new double[] {0.9, 0.1}, 0),
                new Racing.Ended(6, new double[] {0.4, 0.6}, 2),
                new Racing.Ended(7, new double[] {0.7, 0.3}, 1),
                new Racing.Ended(8, new double[] {0.2, 0.2}, 2)));
        assertEquals(
                List.of(5L, 6L, 7L, 8L), told.stream().map(Racing.Ended::id).toList());
        // rung 2 keeps its values; rung 1 (0.7, 0.3) is scaled under rung 2's lowest (0.2, 0.2): x 2/7 and x 2/3;
        // rung 0 (0.9, 0.1) under the lowest above it (0.2, 0.2): x 2/9, and 0.1 needs no scaling
        assertArrayEquals(new double[] {0.4, 0.6}, told.get(1).values());
        assertArrayEquals(new double[] {0.2, 0.2}, told.get(3).values());
        assertArrayEquals(new double[] {0.2, 0.2}, told.get(2).values(), 1e-12);
        assertArrayEquals(new double[] {0.2, 0.1}, told.get(0).values(), 1e-12);
        // a rung's own order is kept: 0.12 and 0.06 under a ceiling of 0.03 become 0.03 and 0.015
        List<Racing.Ended> two = Racing.consistent(List.of(
                new Racing.Ended(1, new double[] {0.12}, 0),
                new Racing.Ended(2, new double[] {0.06}, 0),
                new Racing.Ended(3, new double[] {0.03}, 1)));
        assertArrayEquals(new double[] {0.03}, two.get(0).values(), 1e-12);
        assertArrayEquals(new double[] {0.015}, two.get(1).values(), 1e-12);
    }

    @Test
    void promotionsStopWhereTheItemBudgetEnds() {
        Racing r = racing(1.0, "paired");
        RunState.Fidelity p = progress()
                .answered(0, 0, answers(0, 1, 1))
                .answered(1, 0, answers(0, 1, 1))
                .answered(2, 0, answers(0, 1, 1))
                .answered(3, 0, answers(0, 1, 1));
        List<Long> cohort = List.of(0L, 1L, 2L, 3L);
        // rung 0 cost 4 x 2 items; going up costs 2 more items each; the cap would allow 2
        assertEquals(
                2,
                r.advance(cohort, p, Racing.Basis.of(new Long[] {-1L}), 8 + 4)
                        .needs()
                        .size());
        assertEquals(
                1,
                r.advance(cohort, p, Racing.Basis.of(new Long[] {-1L}), 8 + 3)
                        .needs()
                        .size());
        Racing.Step none = r.advance(cohort, p, Racing.Basis.of(new Long[] {-1L}), 8 + 1);
        assertTrue(none.done() && none.needs().isEmpty(), "nothing affordable: every race ends at rung 0");
    }

    @Test
    void theFinalistsAreTheBestByTheEstimateTheirRaceEndedWith() {
        Racing r = racing(1.0, "paired");
        // races ended: 0 at rung 1 (+0.25 on 4 items), 1 and 3 at rung 0 (-0.5 and 0 on 2), 2 on the whole split
        RunState.Fidelity p = progress()
                .answered(0, 1, answers(0, 1, 1, 1, 0))
                .answered(1, 0, answers(0, 0, 1))
                .answered(2, 2, answers(0, 1, 1, 0, 0, 0, 0, 1, 0))
                .answered(3, 0, answers(0, 1, 1));
        for (long id = 0; id < 4; id++) {
            p = p.scored(new RunEvent.Scored(0, id, new double[] {0}, p.rung(id)));
        }
        // incumbent: the reference (4/8) beats 2 (3/8); estimates 0.75, 0.0, 0.5: 2 is not a finalist (it is exact)
        assertEquals(List.of(0L, 3L), r.finalists(p, List.of(-1L), Map.of(), 2));
        assertEquals(List.of(0L, 3L, 1L), r.finalists(p, List.of(-1L), Map.of(), 9));
        // the same list after the final rung scored 0 on the whole split, however it did there
        RunState.Fidelity later = p.answered(0, 2, answers(4, 0, 0, 0, 0));
        assertEquals(List.of(0L, 3L), r.finalists(later, List.of(-1L), Map.of(), 2));
    }

    @Test
    void theIrtEstimatorUsesTheFitOnTheRunsWholeSplitRowsAndFallsBackToPaired() {
        Racing r = racing(1.0, "irt");
        // five whole-split rows: the reference -1 and candidates 10..13 (no parents); 14 stopped at rung 1
        RunState.Fidelity p = progress()
                .answered(10, 2, answers(0, 1, 1, 1, 0, 1, 0, 1, 0))
                .answered(11, 2, answers(0, 0, 1, 0, 0, 1, 0, 0, 0))
                .answered(12, 2, answers(0, 1, 1, 1, 1, 1, 0, 1, 1))
                .answered(13, 2, answers(0, 1, 0, 0, 0, 0, 0, 1, 0))
                .answered(14, 1, answers(0, 1, 1, 1, 1));
        assertEquals(List.of(-1L, 10L, 11L, 12L, 13L), r.rows(p, List.of(14L, 13L, 12L, 11L, 10L, -1L)));
        var cfg = IrtConfig.defaults().withSeed(7);
        // four rows are too few (the gp-IRT calibration holds one out of five): no fit, the paired estimator
        assertTrue(r.fit(p, List.of(-1L, 10L, 11L, 12L), Map.of(), cfg).isEmpty());
        Map<String, ItemIrt> fit = r.fit(p, r.rows(p, List.of(-1L, 10L, 11L, 12L, 13L)), Map.of(), cfg);
        assertEquals(5, fit.get("t").rows());
        // parents' rows count too: with one parent, four candidates' rows are enough
        Map<String, Integer> parent = answers(0, 0, 0, 0, 0, 1, 1, 1, 1).get("t");
        assertEquals(
                5,
                r.fit(p, List.of(-1L, 10L, 11L, 12L), Map.of("t", Map.of("p", parent)), cfg)
                        .get("t")
                        .rows());

        Map<String, Map<String, Integer>> y = answers(0, 1, 1, 1);
        Long[] inc = {-1L};
        // with a fit: gp-IRT on the answered items, exactly what the fit says
        assertArrayEquals(
                new double[] {fit.get("t").estimate(y.get("t"))}, r.estimate(y, p, new Racing.Basis(inc, fit)), 0.0);
        // without one: paired, the reference's 4/8 plus the mean difference (0 on i0 and i1, +1 on i2)
        assertArrayEquals(new double[] {0.5 + 1 / 3.0}, r.estimate(y, p, Racing.Basis.of(inc)), 1e-12);
        // the whole split is exact whatever the estimator
        assertArrayEquals(new double[] {5 / 8.0}, r.estimate(p.of(10), p, new Racing.Basis(inc, fit)), 1e-12);
        // parents' rows in any order of the map (parents.json is written in whatever order the JVM iterates) fit alike
        Map<String, Integer> other = answers(0, 1, 0, 1, 0, 1, 0, 1, 0).get("t");
        Map<String, Map<String, Integer>> pq = new LinkedHashMap<>();
        pq.put("p", parent);
        pq.put("q", other);
        Map<String, Map<String, Integer>> qp = new LinkedHashMap<>();
        qp.put("q", other);
        qp.put("p", parent);
        assertEquals(
                r.fit(p, List.of(-1L, 10L, 11L, 12L), Map.of("t", pq), cfg)
                        .get("t")
                        .estimate(y.get("t")),
                r.fit(p, List.of(-1L, 10L, 11L, 12L), Map.of("t", qp), cfg)
                        .get("t")
                        .estimate(y.get("t")),
                0.0);
        // the same rows give the same fit: a resumed run refits what the journal names and decides the same way
        assertEquals(
                fit.get("t").estimate(y.get("t")),
                r.fit(p, List.of(-1L, 10L, 11L, 12L, 13L), Map.of(), cfg)
                        .get("t")
                        .estimate(y.get("t")),
                0.0);
    }

    @Test
    void theUpperBoundIsTheMeanPairedDifferencePlusZStandardErrors() {
        // differences +1, 0, 0, -1: mean 0, sample variance 2/3, standard error sqrt(2/3 / 4)
        double ub =
                Racing.upperBound(Map.of("a", 1, "b", 1, "c", 0, "d", 0), Map.of("a", 0, "b", 1, "c", 0, "d", 1), 2.0);
        assertEquals(2 * Math.sqrt(2.0 / 3 / 4), ub, 1e-12);
    }
}
