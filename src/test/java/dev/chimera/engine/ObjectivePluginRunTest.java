package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.typesafe.config.Config;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.ObjectiveType;
import dev.chimera.engine.run.ObjectiveTypes;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunException;
import dev.chimera.engine.run.RunSpec;
import dev.chimera.engine.run.RunState;
import dev.chimera.engine.run.SearchSpace;
import dev.chimera.merge.MergeConfig;
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

    /**
     * Items "0".."5"; an item is answered when the merged embedding's entry of that index is positive: a per-item
     * objective the run can race on.
     */
    static final class PositiveEntries implements ObjectiveType {
        @Override
        public String name() {
            return "positive-entries";
        }

        @Override
        public List<String> items(Config settings) {
            return List.of("0", "1", "2", "3", "4", "5");
        }

        @Override
        public double score(Config settings, Candidate candidate, List<String> ids, Map<String, Integer> answers) {
            float[] v = candidate
                    .merged()
                    .weights()
                    .get("model.embed_tokens.weight")
                    .toFloatArray();
            for (String id : ids) {
                answers.put(id, v[Integer.parseInt(id)] > 0 ? 1 : 0);
            }
            return answers.values().stream()
                    .mapToInt(Integer::intValue)
                    .average()
                    .orElse(0);
        }
    }

    @Test
    void aPerItemObjectiveTypeRacesAndScoresTheParents(@TempDir Path tmp) throws Exception {
        MergeRunTest.zoo(tmp);
        if (!ObjectiveTypes.names().contains("positive-entries")) {
            ObjectiveTypes.register(new PositiveEntries());
        }
        Path f = MergeRunTest.taskArithmeticRun(
                tmp,
                "race",
                "cmaes, settings { population = 4, mean0 = [0.5, 0.5] }",
                "{ name = positive, type = positive-entries }",
                "fidelity { rungs = [2], eta = 2 }",
                8);
        try (Node node = Node.start(EngineTestSupport.config(), EngineTestSupport.localOptions("cpu:1"))) {
            Protocol.Status s = EngineTestSupport.runToEnd(node, f, "race", 300);
            assertEquals(RunState.Status.FINISHED, s.state(), s.finishReason());
        }
        List<RunEvent.ModelAnswered> parents = Journal.read(tmp.resolve("out-race")).stream()
                .filter(e -> e instanceof RunEvent.ModelAnswered)
                .map(e -> (RunEvent.ModelAnswered) e)
                .toList();
        assertEquals(
                List.of("a", "b", "base"),
                parents.stream().map(RunEvent.ModelAnswered::model).sorted().toList());
        for (RunEvent.ModelAnswered p : parents) {
            // the parent's own embedding, read here from its folder
            float[] v;
            try (MergedWeights w = MergedWeights.merge(
                    MergeConfig.itself(tmp.resolve(p.model()).toString()),
                    Path.of("/"),
                    MergeRunner.Options.defaults(),
                    Device.cpu())) {
                v = w.weights().get("model.embed_tokens.weight").toFloatArray();
            }
            for (int i = 0; i < 6; i++) {
                assertEquals(v[i] > 0 ? 1 : 0, p.items().get("positive").get(Integer.toString(i)), p.model() + " " + i);
            }
        }
    }

    @Test
    void aRegisteredObjectiveTypeScoresTheRunsCandidates(@TempDir Path tmp) throws Exception {
        MergeRunTest.zoo(tmp);
        Path f = MergeRunTest.taskArithmeticRun(
                tmp, "obj", "random, settings { population = 3 }", "{ name = small, type = small-embedding }", "", 3);
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
