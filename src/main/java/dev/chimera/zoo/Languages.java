package dev.chimera.zoo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The zoo's two synthetic languages and its task generators.
 *
 * <p>Language A is a small English-like language in lower case (20 nouns, 8 adjectives, 8 verbs, a few function
 * words). Language B is A through a letter cipher: every letter a-z is replaced by a letter of a seeded permutation of
 * A-Z, so B shares A's grammar but none of its letter tokens. Digits, space and {@code ? . |} are shared, so numbers
 * read and are written the same in both languages (the way Arabic numerals are shared by many languages).
 *
 * <p>Every generator returns an {@link Example}: a prompt and a completion; training puts the loss on the completion
 * and the EOS token after it. Generators draw only from the {@link Random} they are given, so a seed fixes the data.
 */
public final class Languages {
    static final List<String> NOUNS = List.of(
            "cat", "dog", "ball", "tree", "cup", "box", "man", "girl", "king", "bird", "fish", "hat", "car", "bed",
            "sun", "pen", "cake", "door", "book", "ring");
    static final List<String> ADJECTIVES = List.of("big", "small", "red", "blue", "old", "new", "hot", "cold");
    static final List<String> VERBS = List.of("sees", "has", "likes", "takes", "wants", "finds", "eats", "holds");
    /** Largest operand of the arithmetic problems. */
    public static final int MAX_OPERAND = 19;

    /** A training or evaluation example: the loss (or the exact match) is on {@code completion}. */
    public record Example(String prompt, String completion) {
        public Example {
            if (prompt.isEmpty()) {
                throw new ZooException("an example needs a non-empty prompt (completion \"" + completion + "\")");
            }
        }
    }

    /** One arithmetic problem: {@code a op b}, op plus or minus (minus only with a >= b, so answers are >= 0). */
    public record Problem(int a, boolean plus, int b) {
        public int answer() {
            return plus ? a + b : a - b;
        }
    }

    private final char[] cipher = new char[26];

    /** The languages for a zoo seed: the seed picks B's letter permutation. */
    public Languages(long seed) {
        List<Character> letters = new ArrayList<>();
        for (char c = 'A'; c <= 'Z'; c++) {
            letters.add(c);
        }
        Collections.shuffle(letters, new Random(seed * 0x9E3779B97F4A7C15L + 17));
        for (int i = 0; i < 26; i++) {
            cipher[i] = letters.get(i);
        }
    }

    /** Language B's spelling of A text: each letter a-z through the cipher, everything else unchanged. */
    public String toB(String a) {
        char[] out = a.toCharArray();
        for (int i = 0; i < out.length; i++) {
            char c = out[i];
            if (c >= 'a' && c <= 'z') {
                out[i] = cipher[c - 'a'];
            }
        }
        return new String(out);
    }

    private String in(boolean b, String a) {
        return b ? toB(a) : a;
    }

    private Example in(boolean b, Example e) {
        return b ? new Example(toB(e.prompt()), toB(e.completion())) : e;
    }

    private static String pick(Random r, List<String> words) {
        return words.get(r.nextInt(words.size()));
    }

    /** A plain sentence in A; the first character is the prompt, the rest the completion (language modelling). */
    public String sentenceA(Random r) {
        return switch (r.nextInt(4)) {
            case 0 ->
                "the " + pick(r, ADJECTIVES) + " " + pick(r, NOUNS) + " " + pick(r, VERBS) + " the "
                        + pick(r, ADJECTIVES) + " " + pick(r, NOUNS);
            case 1 -> "the " + pick(r, NOUNS) + " " + pick(r, VERBS) + " the " + pick(r, NOUNS);
            case 2 -> "the " + pick(r, NOUNS) + " is " + (r.nextBoolean() ? "in" : "on") + " the " + pick(r, NOUNS);
            default -> "the " + pick(r, NOUNS) + " has " + r.nextInt(50) + " " + pick(r, NOUNS);
        };
    }

    /** A sentence in A or B as a language-modelling example. */
    public Example sentence(Random r, boolean b) {
        String s = in(b, sentenceA(r));
        return new Example(s.substring(0, 1), s.substring(1));
    }

    /**
     * A short sentence and its translation: {@code "<sentence> |"} -> {@code " <translation>"}, A to B or B to A.
     */
    public Example translate(Random r, boolean aToB) {
        String a = r.nextBoolean()
                ? "the " + pick(r, NOUNS) + " " + pick(r, VERBS) + " the " + pick(r, NOUNS)
                : "the " + pick(r, ADJECTIVES) + " " + pick(r, NOUNS) + " has " + r.nextInt(50) + " " + pick(r, NOUNS);
        String b = toB(a);
        return aToB ? new Example(a + " |", " " + b) : new Example(b + " |", " " + a);
    }

    /** Where is X: a fact, then the question; the answer is the container word. */
    public Example where(Random r, boolean b) {
        String n1 = pick(r, NOUNS);
        String c1 = pick(r, NOUNS);
        return in(b, new Example("the " + n1 + " is in the " + c1 + " . where is the " + n1 + " ?", " " + c1));
    }

    /** How many: a list of 3 to 6 nouns of two kinds, then the count of one kind (a number). */
    public Example count(Random r, boolean b) {
        String x = pick(r, NOUNS);
        String y = pick(r, NOUNS);
        while (y.equals(x)) {
            y = pick(r, NOUNS);
        }
        int n = 3 + r.nextInt(4);
        int k = 0;
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            boolean isX = r.nextBoolean();
            k += isX ? 1 : 0;
            s.append(isX ? x : y).append(' ');
        }
        return in(b, new Example(s + ". how many " + x + " ?", " " + k));
    }

    /** Say: copy 2 to 4 words. */
    public Example copy(Random r, boolean b) {
        int n = 2 + r.nextInt(3);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(3);
            s.append(i == 0 ? "" : " ").append(pick(r, kind == 0 ? NOUNS : kind == 1 ? ADJECTIVES : VERBS));
        }
        return in(b, new Example("say " + s + " ?", " " + s));
    }

    /** A random arithmetic problem. */
    public static Problem problem(Random r) {
        int a = r.nextInt(MAX_OPERAND + 1);
        int c = r.nextInt(MAX_OPERAND + 1);
        boolean plus = r.nextBoolean();
        return plus ? new Problem(a, true, c) : new Problem(Math.max(a, c), false, Math.min(a, c));
    }

    /** Every arithmetic problem, in a fixed order (plus then minus, by operands). */
    public static List<Problem> allProblems() {
        List<Problem> all = new ArrayList<>();
        for (int a = 0; a <= MAX_OPERAND; a++) {
            for (int b = 0; b <= MAX_OPERAND; b++) {
                all.add(new Problem(a, true, b));
                if (a >= b) {
                    all.add(new Problem(a, false, b));
                }
            }
        }
        return all;
    }

    /** Phrasings of an arithmetic question; the search split poses each of its problems in all of them. */
    public static final int TEMPLATES = 2;

    /** One phrasing of a problem: {@code template} in [0, TEMPLATES). */
    public record Question(Problem problem, int template) {
        public Question {
            if (template < 0 || template >= TEMPLATES) {
                throw new ZooException("question template " + template + " is not in [0, " + TEMPLATES + ")");
            }
        }
    }

    /** The question of a problem in its first phrasing: {@code what is 17 plus 15 ?} in A or B. */
    public String question(Problem p, boolean b) {
        return question(new Question(p, 0), b);
    }

    /** {@code what is 17 plus 15 ?} or {@code how much is 17 plus 15 ?}, in A or B. */
    public String question(Question q, boolean b) {
        Problem p = q.problem();
        String sum = p.a() + (p.plus() ? " plus " : " minus ") + p.b();
        return in(b, (q.template() == 0 ? "what is " : "how much is ") + sum + " ?");
    }

    /** An arithmetic example in the first phrasing: the question, then the answer as digits (shared by both languages). */
    public Example arith(Problem p, boolean b) {
        return arith(new Question(p, 0), b);
    }

    public Example arith(Question q, boolean b) {
        return new Example(question(q, b), " " + q.problem().answer());
    }

    /** A random problem in a random phrasing. */
    public static Question randomQuestion(Random r) {
        Problem p = problem(r);
        return new Question(p, r.nextInt(TEMPLATES));
    }
}
