package dev.chimera.zoo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What a zoo is made of: the model shape, the three training runs and the task sizes. The cache key of a zoo is the
 * recipe version plus a hash of the spec, so changing anything builds a new zoo.
 *
 * @param hidden hidden size
 * @param intermediate MLP size
 * @param layers decoder layers
 * @param heads attention heads (no grouped-query attention)
 * @param base the base model's training run
 * @param expert1 expert 1's run (arithmetic in A), from the base
 * @param expert2 expert 2's first run (language B), from the base: the default trains only B's letter rows of the
 *     token embedding, reading B while predicting A
 * @param expert2Tune expert 2's second run on the same data, after the first (0 steps: none)
 * @param searchItems items of the target's search split (its problems in every phrasing)
 * @param testProblems problems of the target's held-out test split, each posed in every phrasing (other problems than the
 *                     search split's)
 * @param skillItems items of each skill task
 */
public record ZooSpec(
        int hidden,
        int intermediate,
        int layers,
        int heads,
        Trainer.Settings base,
        Trainer.Settings expert1,
        Trainer.Settings expert2,
        Trainer.Settings expert2Tune,
        int searchItems,
        int testProblems,
        int skillItems) {
    /** Bumped whenever the recipe (languages, mixtures, file layout) changes. */
    public static final String RECIPE = "zoo5";

    public ZooSpec {
        check(hidden >= 8 && hidden % heads == 0 && (hidden / heads) % 2 == 0, "hidden", hidden);
        check(intermediate >= 1, "intermediate", intermediate);
        check(layers >= 1, "layers", layers);
        check(heads >= 1, "heads", heads);
        check(searchItems >= 1, "searchItems", searchItems);
        check(testProblems >= 1, "testProblems", testProblems);
        check(skillItems >= 1, "skillItems", skillItems);
        int problems = Languages.allProblems().size();
        if (testProblems >= problems || searchItems > (problems - testProblems) * Languages.TEMPLATES) {
            throw new ZooException("searchItems " + searchItems + " and testProblems " + testProblems + " do not fit "
                    + problems + " distinct arithmetic problems (the search split poses the problems the test split"
                    + " leaves in " + Languages.TEMPLATES + " phrasings)");
        }
    }

    private static void check(boolean ok, String name, int value) {
        if (!ok) {
            throw new ZooException("zoo setting " + name + " = " + value + " is out of range");
        }
    }

    /** Tensors of expert 2's first run: the token embeddings and the output head. */
    public static final String LEXICAL = "model\\.embed_tokens\\.weight|lm_head\\.weight";
    /** Expert 2's first run: the token embedding only. */
    public static final String EMBEDDING = "model\\.embed_tokens\\.weight";
    /** Expert 1: everything but the token embedding, as a LoRA-style fine-tune of the attention and MLP leaves it. */
    public static final String ALL_BUT_EMBEDDING = "(?!model\\.embed_tokens\\.weight$).*";
    /** Rows of expert 2's first run: language B's letters, tokens the base never saw (like a new script's). */
    public static final String B_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /** The demo zoo. */
    public static ZooSpec defaults() {
        return new ZooSpec(
                128,
                256,
                3,
                4,
                new Trainer.Settings(600, 32, 3e-3, 40, 0.1, 0.01, 1.0),
                new Trainer.Settings(600, 48, 3e-3, 30, 0.1, 0.01, 1.0, ALL_BUT_EMBEDDING),
                new Trainer.Settings(800, 32, 1e-2, 20, 0.1, 0.01, 1.0, EMBEDDING, B_LETTERS),
                new Trainer.Settings(600, 32, 3e-3, 15, 0.1, 0.01, 1.0),
                620,
                300,
                300);
    }

    /**
     * The demo zoo with zoo4's short second stage for expert 2 (150 steps at 1e-3): its task vector barely interferes,
     * so the uniform merge is close to the best merge, but B is read through the merge on every CPU type measured
     * (AVX-512, AVX2, default kernels). The default's longer stage makes search matter and its transfer depends on
     * the seed and the CPU's kernels (docs/zoo.md); the CI acceptance test, which runs on a CPU nobody chose, uses this.
     */
    public static ZooSpec shortAdaptation() {
        return defaults().withExpert2Tune(new Trainer.Settings(150, 32, 1e-3, 15, 0.1, 0.01, 1.0));
    }

    /** A few-second zoo for tests: same recipe, tiny model and step counts. */
    public static ZooSpec tiny() {
        return new ZooSpec(
                32,
                64,
                2,
                2,
                new Trainer.Settings(6, 8, 3e-3, 2, 0.1, 0.01, 1.0),
                new Trainer.Settings(3, 8, 2e-3, 1, 0.1, 0.01, 1.0, ALL_BUT_EMBEDDING),
                new Trainer.Settings(3, 8, 2e-3, 1, 0.1, 0.01, 1.0, EMBEDDING, B_LETTERS),
                new Trainer.Settings(2, 8, 1e-3, 1, 0.1, 0.01, 1.0),
                20,
                30,
                30);
    }

    /** The same zoo with another full fine-tune of expert 2 (recipe experiments). */
    public ZooSpec withExpert2Tune(Trainer.Settings tune) {
        return new ZooSpec(
                hidden,
                intermediate,
                layers,
                heads,
                base,
                expert1,
                expert2,
                tune,
                searchItems,
                testProblems,
                skillItems);
    }

    /** Recipe version and a hash of the spec, e.g. {@code zoo1-3fa2c0d1}. */
    public String key() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(toString().getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder(RECIPE).append('-');
            for (int i = 0; i < 4; i++) {
                b.append(String.format("%02x", h[i]));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
