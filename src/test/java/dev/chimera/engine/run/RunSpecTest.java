package dev.chimera.engine.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSpecTest {
    static final String GOOD = """
            run {
              name = r1
              seed = 3
              models { base = "m/base", a = "m/a" }
              genome { method = ties, base = base, models = [a], layers = 8, layer-groups = 2,
                       params = [ { name = weight, min = 0, max = 1 }, { name = density, min = 0.1, max = 1 } ] }
              algorithm { name = cmaes, settings { population = 8 } }
              objectives = [ { name = math, task = "tasks/math.yml", n = 20 } ]
              budget { generations = 3, wall-clock = 2h }
            }
            """;

    static String error(Path dir, String text) throws Exception {
        Path f = dir.resolve("bad.conf");
        Files.writeString(f, text);
        return assertThrows(RunException.class, () -> RunSpec.load(f)).getMessage();
    }

    @Test
    void readsARunFileAndRendersAbsolutePaths(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("good.conf");
        Files.writeString(f, GOOD);
        RunSpec s = RunSpec.load(f);
        assertEquals("r1", s.name());
        assertEquals(dir.resolve("runs/r1"), s.output());
        assertEquals(dir.resolve("m/base").toString(), s.models().get("base"));
        assertEquals(
                dir.resolve("tasks/math.yml").toString(), s.objectives().get(0).task());
        assertEquals(7_200_000L, s.budget().wallClock().toMillis());
        // the rendered text means the same from anywhere
        RunSpec again = RunSpec.parse(s.text());
        assertEquals(s.models(), again.models());
        assertEquals(s.objectives(), again.objectives());
        assertEquals(s.output(), again.output());
        // 2 per-model params x 2 layer groups
        assertEquals(4, SearchSpace.of(s).bounds().dimension());
    }

    @Test
    void errorsNameTheKey(@TempDir Path dir) throws Exception {
        assertTrue(error(dir, "run { }").contains("run.genome is missing"));
        assertTrue(error(dir, GOOD.replace("method = ties", "method = ties, type = zigzag"))
                .contains("run.genome.type unknown genome type 'zigzag'"));
        assertTrue(error(dir, GOOD.replace("models = [a]", "models = [c]"))
                .contains("run.genome.models[0] 'c' is not in run.models"));
        assertTrue(error(dir, GOOD.replace("name = cmaes, ", "")).contains("run.algorithm.name is missing"));
        assertTrue(error(dir, GOOD.replace("n = 20", "n = -1")).contains("run.objectives[0].n must be >= 0"));
        assertTrue(error(dir, GOOD.replace("task = \"tasks/math.yml\"", "synthetic = cube"))
                .contains("run.objectives[0].synthetic unknown function 'cube'"));
        assertTrue(
                error(dir, GOOD.replace("generations = 3, wall-clock = 2h", "")).contains("run.budget"));
        assertTrue(error(dir, GOOD.replace("seed = 3", "seed = three")).contains("seed"));
        assertTrue(error(dir, GOOD.replace("name = r1", "name = \"r 1\"")).contains("run.name must match"));
        assertTrue(error(dir, "run { name = x").contains("bad.conf"));
        assertTrue(assertThrows(RunException.class, () -> RunSpec.load(dir.resolve("none.conf")))
                .getMessage()
                .contains("none.conf does not exist"));
    }
}
