package dev.chimera.zoo;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A built zoo folder:
 * <pre>
 * zoo.json                      recipe, spec, seed, training losses and timings
 * base/                         the base model (Hugging Face folder: config.json, model.safetensors, tokenizer)
 * expert-arith-a/               expert 1: arithmetic word problems in language A
 * expert-lang-b/                expert 2: reads and writes language B
 * tasks/arith_b_search.yml      target: arithmetic posed in B, the search split
 * tasks/arith_b_test.yml        target: held-out test split (disjoint problems)
 * tasks/arith_a_test.yml        expert 1's skill: the test problems posed in A
 * tasks/count_b_test.yml        expert 2's skill: counting in B
 * tasks/arith_a_search.yml      expert 1's skill on the search problems (for multi-objective searches)
 * tasks/count_b_search.yml      expert 2's skill, other items than count_b_test (for multi-objective searches)
 * </pre>
 */
public record Zoo(Path dir) {
    public static final String MANIFEST = "zoo.json";
    public static final String BASE = "base";
    public static final String EXPERT1 = "expert-arith-a";
    public static final String EXPERT2 = "expert-lang-b";
    public static final String TARGET_SEARCH = "arith_b_search";
    public static final String TARGET_TEST = "arith_b_test";
    public static final String SKILL1_TEST = "arith_a_test";
    public static final String SKILL2_TEST = "count_b_test";
    public static final String SKILL1_SEARCH = "arith_a_search";
    public static final String SKILL2_SEARCH = "count_b_search";

    public Path base() {
        return dir.resolve(BASE);
    }

    public Path expert1() {
        return dir.resolve(EXPERT1);
    }

    public Path expert2() {
        return dir.resolve(EXPERT2);
    }

    /** The task file of a task name ({@link #TARGET_SEARCH}, ...). */
    public Path task(String name) {
        return dir.resolve("tasks").resolve(name + ".yml");
    }

    public Path manifest() {
        return dir.resolve(MANIFEST);
    }

    boolean complete() {
        return Files.isRegularFile(manifest())
                && Files.isRegularFile(base().resolve("model.safetensors"))
                && Files.isRegularFile(expert1().resolve("model.safetensors"))
                && Files.isRegularFile(expert2().resolve("model.safetensors"))
                && Files.isRegularFile(task(TARGET_TEST));
    }
}
