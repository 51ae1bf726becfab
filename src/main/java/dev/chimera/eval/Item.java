package dev.chimera.eval;

import java.math.BigDecimal;
import java.util.List;

/** One task item. */
public sealed interface Item permits Item.Choice, Item.Generation, Item.Text {
    String id();

    String question();

    /** A multiple-choice item; {@code answer} indexes {@code choices}. */
    record Choice(String id, String question, List<String> choices, int answer) implements Item {
        public Choice {
            choices = List.copyOf(choices);
        }
    }

    /** A generation item with a numeric answer; {@code target} is the reference text (for few-shot examples). */
    record Generation(String id, String question, BigDecimal answer, String target) implements Item {}

    /** A generation item scored against a reference text (lm-eval's generate_until: filters, then exact_match). */
    record Text(String id, String question, String target) implements Item {}
}
