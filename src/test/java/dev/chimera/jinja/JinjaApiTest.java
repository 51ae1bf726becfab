package dev.chimera.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine's Java-facing parts: literals (ast.literal_eval), Python str(), strftime, user filters, errors. */
class JinjaApiTest {
    @Test
    void literalsAsAstLiteralEval() {
        assertEquals(List.of("a", "b's", 1L, 2.5, true), Jinja.literal("['a', \"b's\", 1, 2.5, True]"));
        assertEquals(Arrays.asList(1L, null), Jinja.literal("(1, None)"));
        assertEquals(Map.of("k", List.of(-3L)), Jinja.literal("{'k': [-3]}"));
        assertThrows(JinjaException.class, () -> Jinja.literal("[x]"));
        assertThrows(JinjaException.class, () -> Jinja.literal("1 + 2"));
    }

    @Test
    void pythonStr() {
        assertEquals("True", Jinja.pyStr(true));
        assertEquals("None", Jinja.pyStr(null));
        assertEquals("4.0", Jinja.pyStr(4.0));
        assertEquals("['a', 1]", Jinja.pyStr(List.of("a", 1)));
    }

    @Test
    void strftimeAsPython() {
        // datetime(2026, 12, 6, 9, 5, 7).strftime("%d %b %Y %A %H:%M:%S %I%p %j") in CPython
        assertEquals(
                "06 Dec 2026 Sunday 09:05:07 09AM 340",
                Builtins.strftime("%d %b %Y %A %H:%M:%S %I%p %j", LocalDateTime.of(2026, 12, 6, 9, 5, 7)));
    }

    @Test
    void userFiltersAndGlobals() {
        Jinja env = Jinja.builder()
                .filter("shout", (a, k) -> Jinja.pyStr(a.get(0)).toUpperCase() + "!".repeat(a.size()))
                .global("answer", 42)
                .build();
        assertEquals("HI!! 42", env.compile("{{ 'hi'|shout(1) }} {{ answer }}").render(Map.of()));
    }

    @Test
    void errorsNameTheLine() {
        Jinja env = Jinja.builder().build();
        JinjaException e = assertThrows(
                JinjaException.class, () -> env.compile("a\nb\n{{ 1 + 'x' }}").render(Map.of()));
        assertTrue(e.getMessage().startsWith("line 3: "), e.getMessage());
        JinjaException s = assertThrows(JinjaException.class, () -> env.compile("a\n{% for x in %}"));
        assertTrue(s.getMessage().contains("line 2"), s.getMessage());
        JinjaException strict = assertThrows(
                JinjaException.class,
                () -> Jinja.lmEval().compile("{{ question }}").render(Map.of()));
        assertTrue(strict.getMessage().contains("'question' is undefined"), strict.getMessage());
    }
}
