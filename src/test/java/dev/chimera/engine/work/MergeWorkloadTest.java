package dev.chimera.engine.work;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.run.RunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeWorkloadTest {
    @Test
    void aNodeWithoutTheModelFoldersRefusesNamingTheKey(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("r.conf");
        Files.writeString(f, """
                run {
                  name = r
                  models { base = /nonexistent/base, math = /nonexistent/math }
                  genome { method = task_arithmetic, base = base, models = [math], layers = 4, params = [ { name = weight } ] }
                  algorithm { name = random }
                  objectives = [ { name = t, task = t.yml } ]
                  budget { evaluations = 1 }
                }
                """);
        RunSpec spec = RunSpec.load(f);
        WorkloadException e = assertThrows(
                WorkloadException.class,
                () -> Workloads.create(new RunSetup("r", spec.text(), Map.of("t", List.of("1"))), "cpu", 1));
        // whichever folder is checked first is named with its key
        assertTrue(
                (e.getMessage().contains("/nonexistent/base (run.models.base)")
                                || e.getMessage().contains("/nonexistent/math (run.models.math)"))
                        && e.getMessage().contains("missing on this node"),
                e.getMessage());
    }
}
