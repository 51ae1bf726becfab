package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Python 3.11's random.Random(seed).sample, values printed by CPython itself. */
class PyRandomTest {
    static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void sampleDrawsAsCPython() {
        // r = random.Random(1234); [r.sample(range(100), 5) for _ in range(3)], r.sample(range(10), 6)
        PyRandom r = new PyRandom(1234);
        List<List<Integer>> draws = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            draws.add(r.sample(range(100), 5));
        }
        assertEquals(
                List.of(List.of(99, 56, 14, 0, 11), List.of(74, 4, 85, 88, 10), List.of(12, 98, 45, 30, 2)), draws);
        assertEquals(List.of(0, 9, 5, 7, 4, 3), r.sample(range(10), 6));
        // random.Random(0).sample(range(7473), 5): the set-based branch (n > setsize)
        assertEquals(List.of(6917, 3155, 6209, 7292, 3445), new PyRandom(0).sample(range(7473), 5));
    }
}
