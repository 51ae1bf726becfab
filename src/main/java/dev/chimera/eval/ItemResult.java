package dev.chimera.eval;

import java.math.BigDecimal;

/**
 * One scored item. Multiple choice fills {@code loglik}, {@code pred}, {@code predNorm} (output fields null);
 * generation fills {@code output} (after cutting at stop strings), {@code extracted} (null when no number),
 * {@code language} (detected code, null when unchecked or unknown), {@code languageChecked}, {@code numberCorrect}.
 * {@code correct} is the task metric's verdict (generation: right number AND in the task language). lm-eval
 * generation tasks fill {@code output}, {@code filtered} (the response after the first filter pipeline) and
 * {@code target}.
 */
public record ItemResult(
        String id,
        boolean correct,
        double[] loglik,
        int pred,
        int predNorm,
        int gold,
        String output,
        BigDecimal extracted,
        BigDecimal expected,
        boolean numberCorrect,
        String language,
        boolean languageChecked,
        String filtered,
        String target) {

    static ItemResult choice(String id, boolean correct, double[] loglik, int pred, int predNorm, int gold) {
        return new ItemResult(
                id, correct, loglik, pred, predNorm, gold, null, null, null, false, null, false, null, null);
    }

    static ItemResult generation(
            String id,
            boolean correct,
            String output,
            BigDecimal extracted,
            BigDecimal expected,
            boolean numberCorrect,
            String language,
            boolean languageChecked) {
        return new ItemResult(
                id,
                correct,
                null,
                -1,
                -1,
                -1,
                output,
                extracted,
                expected,
                numberCorrect,
                language,
                languageChecked,
                null,
                null);
    }

    static ItemResult text(String id, boolean correct, String output, String filtered, String target) {
        return new ItemResult(id, correct, null, -1, -1, -1, output, null, null, false, null, false, filtered, target);
    }
}
