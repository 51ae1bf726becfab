package dev.chimera.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DedupingSearchTest {
    /** Hands out a fixed script of candidates and records what it is told. */
    static final class Scripted implements Optimizer {
        final List<Candidate> script = new ArrayList<>();
        final Map<Long, double[]> told = new HashMap<>();
        int next;

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public Bounds bounds() {
            return Bounds.uniform(1, 0, 1);
        }

        @Override
        public int objectives() {
            return 1;
        }

        @Override
        public List<Candidate> ask(int max) {
            List<Candidate> out = new ArrayList<>();
            while (out.size() < max && next < script.size()) {
                out.add(script.get(next++));
            }
            return out;
        }

        @Override
        public boolean tell(long id, double[] objectives) {
            return told.putIfAbsent(id, objectives) == null;
        }

        @Override
        public long evaluations() {
            return told.size();
        }

        @Override
        public long generation() {
            return 0;
        }

        @Override
        public List<Evaluation> best() {
            return List.of();
        }

        @Override
        public ObjectNode snapshot() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void eachDistinctRecipeIsEvaluatedOnce() {
        Scripted s = new Scripted();
        // keys: genes rounded to one decimal; 0.11 and 0.14 are the same recipe
        double[][] genes = {{0.11}, {0.5}, {0.14}, {0.9}, {0.52}};
        for (int i = 0; i < genes.length; i++) {
            s.script.add(new Candidate(i, genes[i]));
        }
        DedupingSearch d = new DedupingSearch(s, g -> String.format("%.1f", g[0]));
        List<Candidate> first = d.ask(3);
        // 0.11, 0.5 new; 0.14 waits on 0.11's evaluation; the loop asks again and gets 0.9
        assertEquals(List.of(0L, 1L, 3L), first.stream().map(Candidate::id).toList());
        assertEquals(1, d.cacheHits());
        d.tell(0, new double[] {7});
        assertArrayEquals(new double[] {7}, s.told.get(0L));
        assertArrayEquals(new double[] {7}, s.told.get(2L), "the duplicate gets the same result");
        d.tell(1, new double[] {3});
        // 0.52 = 0.5: answered from the cache on ask, nothing handed out
        assertEquals(List.of(), d.ask(10));
        assertArrayEquals(new double[] {3}, s.told.get(4L));
        assertEquals(2, d.cacheHits());
        assertFalse(d.tell(2, new double[] {1}), "ids never handed out are ignored");
    }
}
