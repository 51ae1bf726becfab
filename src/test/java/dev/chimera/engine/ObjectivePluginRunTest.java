package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.typesafe.config.Config;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.ObjectiveType;
import dev.chimera.engine.run.ObjectiveTypes;
import dev.chimera.engine.run.RunException;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.engine.run.SearchSpace;
import dev.chimera.merge.MergeRunner;
import dev.chimera.merge.MergedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An objective written in Java, registered as a type and named by a run file, scores every candidate's merge. */
class ObjectivePluginRunTest {
    /** Negated mean square of the merged embedding table: the search prefers small embeddings. */
    static final class SmallEmbedding implements ObjectiveType {
        @Override
        public String name() {
            return "small-embedding";
        }

        @Override
        public double score(Config settings, Candidate candidate, List<String> ids, Map<String, Integer> answers) {
            return value(candidate.merged());
        }

        static double value(MergedWeights merged) {
            NDArray e = merged.weights().get("model.embed_tokens.weight");
            float[] v = e.toFloatArray();
            double s = 0;
            for (float x : v) {
                s += x * x;
            }
            return -s / v.length;
        }
    }

    @Test
    void aRegisteredObjectiveTypeScoresTheRunsCandidates(@TempDir Path tmp) throws Exception {
        MergeRunTest.zoo(tmp);
        Path f = tmp.resolve("obj.conf");
        Files.writeString(f, """
                run {
                  name = obj
                  output = out-obj
                  seed = 4
                  models { base = base, a = a, b = b }
                  genome {
                    method = task_arithmetic
                    base = base
                    models = [a, b]
                    params = [ { name = weight, min = 0, max = 1 } ]
                  }
                  algorithm { name = random, settings { population = 3 } }
                  objectives = [ { name = small, type = small-embedding } ]
                  budget { evaluations = 3 }
                }
                """);
        if (!ObjectiveTypes.names().contains("small-embedding")) { // not yet registered in this JVM
            RunException e = assertThrows(RunException.class, () -> RunSpec.load(f));
            assertTrue(e.getMessage().contains("unknown objective type 'small-embedding'"), e.getMessage());
            ObjectiveTypes.register(new SmallEmbedding());
        }
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:1"))) {
            Protocol.Status s = EngineTestSupport.runToEnd(node, f, "obj", 300);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        }
        // every value is the objective of the candidate's own merge, recomputed here from its genes
        RunSpec spec = RunSpec.load(f);
        SearchSpace space = SearchSpace.of(spec);
        List<String> rows = Files.readAllLines(tmp.resolve("out-obj/results.csv"));
        List<String> header = Arrays.asList(rows.get(0).split(","));
        assertEquals(4, rows.size(), rows.toString());
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split(",");
            double[] genes = new double[space.bounds().dimension()];
            for (int d = 0; d < genes.length; d++) {
                genes[d] = Double.parseDouble(cells[cells.length - genes.length + d]);
            }
            try (MergedWeights merged = MergedWeights.merge(
                    space.genome().decode(genes), Path.of("/"), MergeRunner.Options.defaults(), Device.cpu())) {
                assertEquals(
                        SmallEmbedding.value(merged), Double.parseDouble(cells[header.indexOf("small")]), 1e-6, row);
            }
        }
    }
}
