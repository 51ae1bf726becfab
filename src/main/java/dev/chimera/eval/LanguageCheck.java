package dev.chimera.eval;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Answer-language check with Lingua, over a fixed set of candidate languages (by default MGSM's eleven: bn de en es
 * fr ja ru sw te th zh).
 *
 * <p>Rule for short outputs: the check runs only when the output has at least {@link #MIN_LETTERS} letters
 * ({@link Character#isLetter}: digits, signs, punctuation and spaces do not count); an output with fewer letters
 * (e.g. "42" or "= 42.") cannot be attributed to a language and counts as being in the task's language, reported
 * with {@code checked = false}. When the check runs, the output is in the task's language only if Lingua detects
 * exactly that language; an undecidable text (Lingua's UNKNOWN) does not count. A task language outside the
 * detector's set is an error, never a silently skipped check.
 */
public final class LanguageCheck {
    /** Fewest letters for the check to run. */
    public static final int MIN_LETTERS = 12;
    /** MGSM's languages. */
    public static final List<String> MGSM = List.of("bn", "de", "en", "es", "fr", "ja", "ru", "sw", "te", "th", "zh");

    /** The outcome: detected ISO 639-1 code (null when not checked or unknown), whether it counts. */
    public record Result(String detected, boolean checked, boolean matches) {}

    private final LanguageDetector detector;
    private final Set<String> codes;

    public LanguageCheck(List<String> isoCodes) {
        if (isoCodes.size() < 2) {
            throw new EvalException("a language check needs at least two candidate languages, got " + isoCodes);
        }
        Set<String> set = new LinkedHashSet<>();
        IsoCode639_1[] isos = new IsoCode639_1[isoCodes.size()];
        for (int i = 0; i < isos.length; i++) {
            isos[i] = iso(isoCodes.get(i));
            set.add(isoCodes.get(i).toLowerCase(Locale.ROOT));
        }
        this.codes = Collections.unmodifiableSet(set);
        this.detector = LanguageDetectorBuilder.fromIsoCodes639_1(isos).build();
    }

    /** A check over MGSM's languages. */
    public static LanguageCheck mgsm() {
        return new LanguageCheck(MGSM);
    }

    /** Built once: Lingua's detector takes seconds to load and is safe to share between threads. */
    private static final class Shared {
        static final LanguageCheck MGSM_CHECK = mgsm();
    }

    /**
     * The check a task's own rules ask for: MGSM's languages for a task that names its answers' language (its items
     * count as correct only in that language), none (null) otherwise. The one place this rule lives; the instance is
     * shared.
     */
    public static LanguageCheck forTask(Task task) {
        return task.language() == null ? null : Shared.MGSM_CHECK;
    }

    public Set<String> languages() {
        return codes;
    }

    /** Fails unless {@code code} is one of the detector's languages. */
    public void requireSupported(String code) {
        if (!codes.contains(code.toLowerCase(Locale.ROOT))) {
            throw new EvalException("task language '" + code + "' is not one of the language check's " + codes);
        }
    }

    /** Checks whether {@code text} is in {@code expected} (ISO 639-1). */
    public Result check(String text, String expected) {
        requireSupported(expected);
        if (letters(text) < MIN_LETTERS) {
            return new Result(null, false, true);
        }
        Language lang = detector.detectLanguageOf(text);
        if (lang == Language.UNKNOWN) {
            return new Result(null, true, false);
        }
        String code = lang.getIsoCode639_1().toString().toLowerCase(Locale.ROOT);
        return new Result(code, true, code.equalsIgnoreCase(expected));
    }

    static int letters(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetter(cp)) {
                n++;
            }
        }
        return n;
    }

    private static IsoCode639_1 iso(String code) {
        try {
            return IsoCode639_1.valueOf(code.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new EvalException("unknown ISO 639-1 language code '" + code + "'");
        }
    }
}
