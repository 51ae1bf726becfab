package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NumberExtractorTest {
    static BigDecimal last(String s) {
        return NumberExtractor.last(s).orElse(null);
    }

    static void same(String expected, String text) {
        BigDecimal got = last(text);
        assertTrue(NumberExtractor.sameNumber(new BigDecimal(expected), got), text + " -> " + got);
    }

    @Test
    void lastNumberRules() {
        same("1234.5", "It costs 3 apples, so 1,234.50");
        same("42", "The answer is 42.");
        same("18", "She has $18.");
        same("-7", "The change is -7");
        same("-5", "temperature −5 degrees");
        same("-3", "answer: -$3");
        same("5", "3-5");
        same("1000000", "#### 1,000,000");
        same("0.25", "p = 0.25");
        same("3", "1, 2, 3");
        same("42", "答えは４２です。");
        same("12", "উত্তর ১২");
        same("7", "x2 is not a number but 7 is");
        assertEquals(Optional.empty(), NumberExtractor.last("no numbers here."));
        assertEquals(Optional.empty(), NumberExtractor.last(""));
    }

    @Test
    void comparesNumerically() {
        assertTrue(NumberExtractor.sameNumber(last("1,234.50"), new BigDecimal("1234.5")));
        assertTrue(NumberExtractor.sameNumber(last("5.0"), new BigDecimal("5")));
    }

    @Test
    void parseAnswerNeedsOneNumber() {
        assertEquals(0, NumberExtractor.parseAnswer(" 1,234 ").orElseThrow().compareTo(new BigDecimal(1234)));
        assertEquals(0, NumberExtractor.parseAnswer("$5").orElseThrow().compareTo(new BigDecimal(5)));
        assertTrue(NumberExtractor.parseAnswer("five").isEmpty());
        assertTrue(NumberExtractor.parseAnswer("5 apples").isEmpty());
    }
}
