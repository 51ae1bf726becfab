package dev.chimera.eval;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last number in a model output, for GSM8K/MGSM-style exact match.
 *
 * <p>Rules: the text is NFKC-normalised first (full-width digits, commas and signs become ASCII); digits of any script
 * ({@code \p{Nd}}, e.g. Bengali or Thai) count; commas between digits are thousands separators and are dropped (as
 * lm-eval's GSM8K filter does, so {@code 12,34} reads 1234); a {@code .} followed by digits is the decimal point, a
 * trailing period is punctuation; a leading {@code -}, {@code +} or {@code −} not preceded by a letter or digit is the
 * sign (so {@code 3-5} gives 3 and 5); numbers may touch letters (Japanese {@code 答えは42です}); a {@code $} between sign and digits is ignored. Numbers compare numerically:
 * {@code "1,234.50"} equals {@code 1234.5}.
 */
public final class NumberExtractor {
    private static final Pattern NUMBER = Pattern.compile(
            "(?:(?<![\\p{L}\\p{Nd}])([-+\u2212])\\s?)?\\$?\\s?(?<!\\p{Nd})(\\p{Nd}+(?:,\\p{Nd}+)*)(?:\\.(\\p{Nd}+))?");

    private NumberExtractor() {}

    /** The last number of {@code text}, if any. */
    public static Optional<BigDecimal> last(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        Matcher m = NUMBER.matcher(s);
        String found = null;
        while (m.find()) {
            StringBuilder b = new StringBuilder();
            if ("-".equals(m.group(1)) || "\u2212".equals(m.group(1))) {
                b.append('-');
            }
            appendDigits(b, m.group(2));
            if (m.group(3) != null) {
                b.append('.');
                appendDigits(b, m.group(3));
            }
            found = b.toString();
        }
        return found == null ? Optional.empty() : Optional.of(new BigDecimal(found));
    }

    /** Parses a reference answer ("1,234", "$5", "-3.0"): the whole string must be one number. */
    public static Optional<BigDecimal> parseAnswer(String text) {
        String s = Normalizer.normalize(text.strip(), Normalizer.Form.NFKC);
        Matcher m = NUMBER.matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        return last(s);
    }

    /** Numeric equality (scale ignored). */
    public static boolean sameNumber(BigDecimal a, BigDecimal b) {
        return a != null && b != null && a.compareTo(b) == 0;
    }

    private static void appendDigits(StringBuilder b, String digits) {
        for (int i = 0; i < digits.length(); ) {
            int cp = digits.codePointAt(i);
            i += Character.charCount(cp);
            if (cp != ',') {
                b.append((char) ('0' + Character.digit(cp, 10)));
            }
        }
    }
}
