package dev.chimera.engine.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.search.Bounds;
import dev.chimera.search.Candidate;
import dev.chimera.search.Optimizer;
import dev.chimera.search.Optimizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every example run file in docs/examples parses, builds its genome (the examples set {@code genome.layers}, so
 * no model folder is read) and is accepted by its algorithm with the genome's bounds — so the documented
 * examples cannot drift from what the engine reads.
 */
class ExampleRunFilesTest {
    static final Path EXAMPLES = Path.of("docs", "examples");

    /** The settings keys each algorithm reads (unknown keys are ignored by the optimizers, so typos are caught here). */
    static final Map<String, Set<String>> SETTINGS = Map.of(
            "cmaes", Set.of("population", "sigma0", "mean0", "active"),
            "ga",
                    Set.of(
                            "population",
                            "elitism",
                            "tournament",
                            "crossover",
                            "crossover_probability",
                            "sbx_eta",
                            "blend_alpha",
                            "mutation",
                            "mutation_probability",
                            "mutation_eta",
                            "gaussian_sigma",
                            "survival",
                            "offspring",
                            "eliminate_duplicates"),
            "nsga2",
                    Set.of(
                            "population",
                            "crossover_probability",
                            "sbx_eta",
                            "mutation_probability",
                            "mutation_eta",
                            "initial"),
            "de", Set.of("population", "F", "CR"),
            "random", Set.of("batch"));

    static List<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".conf"))
                    .sorted()
                    .toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyExampleParsesAndItsAlgorithmAcceptsTheGenome() throws IOException {
        return examples().stream()
                .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
                    RunSpec spec = RunSpec.load(file);
                    assertTrue(spec.genome().merges(), file + ": examples are merge runs");
                    assertNotNull(
                            spec.genome().layers(),
                            file + ": set genome.layers so the genome is known without model folders");
                    assertTrue(spec.output().isAbsolute());
                    for (String key : spec.algorithmSettings().root().keySet()) {
                        assertTrue(
                                SETTINGS.get(spec.algorithm()).contains(key),
                                file + ": " + spec.algorithm() + " has no setting '" + key + "'");
                    }

                    SearchSpace space = SearchSpace.of(spec);
                    Bounds bounds = space.bounds();
                    assertEquals(space.genome().geneNames().size(), bounds.dimension());
                    Optimizer o = Optimizers.create(
                            spec.algorithm(), bounds, spec.objectives().size(), spec.seed(), spec.algorithmSettings());
                    List<Candidate> first = o.ask(Integer.MAX_VALUE);
                    assertFalse(first.isEmpty(), file + ": the optimizer asked for nothing");
                    for (Candidate c : first) {
                        assertTrue(bounds.contains(c.genes()), file + ": candidate outside the genome's bounds");
                    }
                    // a candidate decodes to a mergekit recipe of the declared method
                    String yaml = space.genome().yaml(first.get(0).genes());
                    assertTrue(
                            yaml.contains(spec.genome().method()),
                            file + ": recipe without its merge method:\n" + yaml);

                    // the rendered text a coordinator sends to the workers parses to the same spec
                    RunSpec again = RunSpec.parse(spec.text());
                    assertEquals(spec.output(), again.output());
                    assertEquals(spec.models(), again.models());
                    assertEquals(
                            bounds.dimension(), SearchSpace.of(again).bounds().dimension());
                }));
    }

    @Test
    void thereIsOneExamplePerAlgorithmAndTheMultiObjectiveOneHasTwoObjectives() throws IOException {
        Set<String> algorithms = new TreeSet<>();
        Set<String> genomes = new TreeSet<>();
        for (Path f : examples()) {
            RunSpec spec = RunSpec.load(f);
            algorithms.add(spec.algorithm());
            genomes.add(
                    spec.genome().type().equals("layer-path")
                            ? "layer-path"
                            : spec.genome().method());
            if (spec.algorithm().equals("nsga2")) {
                assertEquals(2, spec.objectives().size(), f + ": the nsga2 example has two objectives");
            }
        }
        assertEquals(new TreeSet<>(Optimizers.names()), algorithms);
        assertTrue(
                genomes.containsAll(Set.of("ties", "dare_ties", "task_arithmetic", "slerp", "layer-path")),
                genomes.toString());
    }
}
