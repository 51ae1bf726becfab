package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.cli.CliRun;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `chimera run` / `chimera resume` in-process, and the engine commands' bad-input errors. */
class EngineCliTest {
    @Test
    void unknownDevicesAreRefusedByName() {
        CliRun gpu = CliRun.of("node", "--devices", "cuda:0", "--port", "0", "--control-port", "-1");
        assertEquals(1, gpu.code());
        assertTrue(
                gpu.err().contains("device cuda:0 is not available")
                        && gpu.err().contains("GPU"),
                gpu.err());
        CliRun tpu = CliRun.of("node", "--devices", "tpu:1", "--port", "0", "--control-port", "-1");
        assertEquals(1, tpu.code());
        assertTrue(tpu.err().contains("unknown device 'tpu:1'"), tpu.err());
    }

    @Test
    void aMalformedRunFileNamesTheKey(@TempDir Path tmp) throws Exception {
        Path f = EngineTestSupport.syntheticRun(tmp, "bad", 1, "cmaes", "population = 1", "generations = 2", "1ms");
        Files.writeString(f, Files.readString(f).replace("dimension = 4", "dimension = -4"));
        CliRun r = CliRun.of("run", f.toString(), "--control-port", "-1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("run.genome.dimension must be a positive integer"), r.err());
        assertFalse(Files.exists(tmp.resolve("out-bad")), "nothing written for a bad run file");
    }

    @Test
    void aMissingModelFolderIsNamedWhenTheRunStarts(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("m.conf");
        Files.writeString(f, """
                run {
                  name = missing
                  models { base = nowhere/base, a = nowhere/a }
                  genome { method = task_arithmetic, base = base, models = [a], params = [ { name = weight } ] }
                  algorithm { name = random }
                  objectives = [ { name = f, synthetic = sphere } ]
                  budget { evaluations = 2 }
                }
                """);
        CliRun r = CliRun.of("run", f.toString(), "--devices", "cpu");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("model 'base'") && r.err().contains("nowhere/base"), r.err());
    }

    @Test
    void aMultiObjectiveRunWritesItsParetoSet(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("mo.conf");
        Files.writeString(f, """
                run {
                  name = mo
                  output = out
                  seed = 2
                  genome { type = box, dimension = 2, min = -1, max = 1 }
                  algorithm { name = nsga2, settings { population = 8 } }
                  objectives = [ { name = left, synthetic = sphere, center = -0.5 }, { name = right, synthetic = sphere, center = 0.5 } ]
                  budget { generations = 4 }
                }
                """);
        CliRun r = CliRun.of("run", f.toString(), "--devices", "cpu:2", "--control-port", "-1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("run mo finished"), r.out());
        JsonNode best = new ObjectMapper().readTree(tmp.resolve("out/best.json").toFile());
        assertTrue(best.size() >= 2, best.toString());
        // the Pareto set: nobody in it is dominated by any evaluated candidate
        List<RunEvent.Evaluated> all = EngineTestSupport.evaluated(Journal.read(tmp.resolve("out")));
        for (JsonNode b : best) {
            double l = b.get("objectives").get(0).asDouble();
            double rr = b.get("objectives").get(1).asDouble();
            for (RunEvent.Evaluated e : all) {
                boolean dominates = e.objectives()[0] >= l
                        && e.objectives()[1] >= rr
                        && (e.objectives()[0] > l || e.objectives()[1] > rr);
                assertFalse(dominates, "candidate " + e.id() + " dominates Pareto member " + b);
            }
        }
    }

    @Test
    void resumeContinuesAStoppedRunFolderInProcess(@TempDir Path tmp) throws Exception {
        Path f = EngineTestSupport.syntheticRun(tmp, "again", 6, "cmaes", "population = 6", "generations = 3", "1ms");
        // a folder as a crash leaves it: config, items and a journal with the first generation only
        CliRun first = CliRun.of("run", f.toString(), "--devices", "cpu", "--control-port", "-1");
        assertEquals(0, first.code(), first.err());
        Path dir = tmp.resolve("out-again");
        List<String> lines = Files.readAllLines(dir.resolve(Journal.FILE));
        List<String> cut = lines.subList(0, 1 + 6); // started + 6 evaluations
        Files.write(dir.resolve(Journal.FILE), cut);
        CliRun resumed = CliRun.of("resume", dir.toString(), "--control-port", "-1");
        assertEquals(0, resumed.code(), resumed.err());
        List<RunEvent.Evaluated> ev = EngineTestSupport.evaluated(Journal.read(dir));
        assertEquals(18, ev.size());
        assertEquals(18, ev.stream().map(RunEvent.Evaluated::id).distinct().count());
        assertTrue(
                resumed.out()
                        .contains("best " + String.format(Locale.ROOT, "%.4f", SingleNodeRunTest.plainLoop(6, 3)[0])),
                resumed.out());
        CliRun finished = CliRun.of("resume", dir.toString(), "--control-port", "-1");
        assertEquals(1, finished.code());
        assertTrue(finished.err().contains("already finished"), finished.err());
    }
}
