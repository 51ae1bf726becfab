package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LanguageCheckTest {
    static final LanguageCheck CHECK = LanguageCheck.mgsm();

    @Test
    void detectsLanguages() {
        var en = CHECK.check("She sells 16 eggs, eats three and bakes four, so she earns 18 dollars.", "en");
        assertEquals("en", en.detected());
        assertTrue(en.checked() && en.matches());
        var ja = CHECK.check("ジャネットは毎日16個の卵を産みます。答えは18ドルです。", "ja");
        assertEquals("ja", ja.detected());
        assertTrue(ja.matches());
        var de = CHECK.check("Sie verkauft die restlichen Eier und verdient damit 18 Dollar.", "en");
        assertEquals("de", de.detected());
        assertTrue(de.checked());
        assertFalse(de.matches(), "German answer to an English task does not count");
    }

    @Test
    void shortOutputsCountAsTaskLanguage() {
        var r = CHECK.check("= 18 $", "ja");
        assertFalse(r.checked());
        assertTrue(r.matches());
        assertNull(r.detected());
        assertEquals(11, LanguageCheck.letters("abcdefghijk 123"));
    }

    @Test
    void unsupportedLanguageIsAnError() {
        assertThrows(EvalException.class, () -> CHECK.check("bonjour tout le monde, ça va bien", "it"));
        assertThrows(EvalException.class, () -> new LanguageCheck(List.of("en", "xx")));
    }
}
