package dev.chimera.extending;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/extending.md shows the tested code, not a copy that drifts. */
class ExtendingDocTest {
    @Test
    void theDocShowsTheTestedMergeMethod() throws Exception {
        String doc = Files.readString(Path.of("docs/extending.md"));
        String code = Files.readString(Path.of("src/test/java/dev/chimera/extending/SignConsensusAverage.java"));
        assertTrue(
                doc.contains("```java\n" + code + "```"), "docs/extending.md differs from SignConsensusAverage.java");
        String genome = Files.readString(Path.of("src/test/java/dev/chimera/extending/WeightSliderGenome.java"));
        assertTrue(
                doc.contains("```java\n" + genome + "```"), "docs/extending.md differs from WeightSliderGenome.java");
        String estimator = Files.readString(Path.of("src/test/java/dev/chimera/extending/LaplaceMean.java"));
        assertTrue(doc.contains("```java\n" + estimator + "```"), "docs/extending.md differs from LaplaceMean.java");
        for (String used : new String[] {
            "Optimizers.register(new OnePlusOneEs.Factory());",
            "Optimizer o = Optimizers.create(\"one-plus-one\", Bounds.uniform(3, -1, 1), 1, 7);"
        }) {
            assertTrue(doc.contains(used), used);
            assertTrue(
                    Files.readString(Path.of("src/test/java/dev/chimera/extending/ExtendingTest.java"))
                            .contains(used),
                    "ExtendingTest no longer runs: " + used);
        }
    }
}
