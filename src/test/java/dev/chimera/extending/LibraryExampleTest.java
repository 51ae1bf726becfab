package dev.chimera.extending;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.local.LocalSearch;
import dev.chimera.merge.MergeConfigYaml;
import dev.chimera.zoo.Zoo;
import dev.chimera.zoo.ZooBuilder;
import dev.chimera.zoo.ZooSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's library example runs on the tiny zoo, and the README shows exactly its code. */
class LibraryExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theReadmeExampleSearchesAndWritesARecipe() throws Exception {
        Zoo zoo = ZooBuilder.build(tmp.resolve("zoo"), ZooSpec.tiny(), 1, s -> {});
        Path out = tmp.resolve("best.yml");
        LocalSearch.Result r =
                LibraryExample.search(zoo.base(), zoo.expert1(), zoo.expert2(), zoo.task(Zoo.SKILL1_TEST), out, 6);
        assertEquals(6, r.evaluated().size(), "six distinct recipes scored");
        double best = r.best().get(0).objectives()[0];
        assertTrue(best >= 0 && best <= 1, "accuracy " + best);
        for (var e : r.evaluated()) {
            assertTrue(e.objectives()[0] <= best, "best is the best");
        }
        assertEquals("ties", MergeConfigYaml.read(out).mergeMethod());
    }

    @Test
    void theReadmeShowsTheExamplesCode() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> lines = Files.readAllLines(Path.of("src/test/java/dev/chimera/extending/LibraryExample.java"));
        int from = lines.indexOf("        // README: begin");
        int to = lines.indexOf("        // README: end");
        StringBuilder body = new StringBuilder();
        for (String l : lines.subList(from + 1, to)) {
            body.append(l.length() >= 8 ? l.substring(8) : l.strip()).append('\n');
        }
        assertTrue(
                readme.contains(body.toString()), "README.md's library example differs from LibraryExample:\n" + body);
    }
}
