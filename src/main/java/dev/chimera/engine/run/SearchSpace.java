package dev.chimera.engine.run;

import com.typesafe.config.Config;
import dev.chimera.merge.arch.Architecture;
import dev.chimera.merge.arch.Architectures;
import dev.chimera.search.Bounds;
import dev.chimera.search.genome.Genome;
import dev.chimera.tensor.HfConfig;
import dev.chimera.tensor.SafetensorsModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The box the optimizer searches and what a point in it means: a merge {@link Genome} over the run's models, or
 * (synthetic runs) just the box. Built from the run spec the same way on the coordinator and on every worker.
 */
public record SearchSpace(Bounds bounds, Genome genome) {
    public static SearchSpace of(RunSpec spec) {
        RunSpec.GenomeSpec g = spec.genome();
        if (!g.merges()) {
            return new SearchSpace(Bounds.uniform(g.dimension(), g.min(), g.max()), null);
        }
        Architecture arch = architectureOf(spec, g);
        int layers = g.layers() != null ? g.layers() : layersOf(spec, g, arch);
        List<String> paths = g.models().stream().map(spec.models()::get).toList();
        String base = g.base() != null ? spec.models().get(g.base()) : null;
        Genome genome = GenomeTypes.get(g.type())
                .create(new GenomeType.Context(spec, g, g.settings(), paths, base, arch, layers));
        return new SearchSpace(genome.bounds(), genome);
    }

    /**
     * The architecture definition whose layers and group names the genome addresses: {@code run.genome.architecture}
     * (a config.json class name), else the base (or first) model's; when {@code layers} is given and the folder is
     * not on this node (a coordinator without the models), the Llama family's, as before definitions existed.
     */
    private static Architecture architectureOf(RunSpec spec, RunSpec.GenomeSpec g) {
        if (g.architecture() != null) {
            return Architectures.forClass(g.architecture())
                    .orElseThrow(() -> new RunException("run.genome.architecture: no architecture definition for '"
                            + g.architecture() + "' (docs/architectures.md lists them)"));
        }
        String ref = g.base() != null ? g.base() : g.models().get(0);
        Path dir = Path.of(spec.models().get(ref));
        if (g.layers() != null && !Files.isRegularFile(dir.resolve(HfConfig.FILE))) {
            return Architectures.forClass("LlamaForCausalLM").orElseThrow();
        }
        try {
            HfConfig config = HfConfig.read(dir);
            var known = config.architecture().flatMap(Architectures::forClass);
            if (known.isPresent()) {
                return known.get();
            }
            try (SafetensorsModel tensors = SafetensorsModel.open(dir)) {
                return Architectures.of(config, tensors.names());
            }
        } catch (RuntimeException e) {
            throw new RunException("cannot read model '" + ref + "' at " + dir + ": " + e.getMessage(), e);
        }
    }

    private static int layersOf(RunSpec spec, RunSpec.GenomeSpec g, Architecture arch) {
        String ref = g.base() != null ? g.base() : g.models().get(0);
        Path dir = Path.of(spec.models().get(ref));
        try {
            return arch.mainModule().numLayers(HfConfig.read(dir));
        } catch (RuntimeException e) {
            throw new RunException(
                    "run.genome.layers is not set and the layer count of model '" + ref + "' cannot be read from " + dir
                            + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Where the search starts, as a user would state it in the run's algorithm settings: CMA-ES's {@code mean0} and
     * NSGA-II's {@code initial} points. Multi-fidelity runs score them on the whole split
     * first (the incumbent to beat) and a run never returns a merge that scores below them.
     */
    public static List<double[]> startPoints(RunSpec spec) {
        Config c = spec.algorithmSettings();
        List<double[]> out = new ArrayList<>();
        if (c.hasPath("mean0")) {
            out.add(c.getDoubleList("mean0").stream()
                    .mapToDouble(Double::doubleValue)
                    .toArray());
        }
        if (c.hasPath("initial")) {
            for (Object p : c.getList("initial").unwrapped()) {
                if (p instanceof List<?> l) {
                    out.add(l.stream()
                            .mapToDouble(x -> ((Number) x).doubleValue())
                            .toArray());
                }
            }
        }
        return out;
    }

    /**
     * {@code k} points drawn uniformly within the bounds from a stream of {@code seed} of their own (the calibration
     * merges of {@code run.fidelity.calibration}), the same for a resumed run.
     */
    public List<double[]> randomPoints(int k, long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5ca1ab1eL);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            double[] x = new double[bounds.dimension()];
            for (int d = 0; d < x.length; d++) {
                x[d] = bounds.lower(d) + rng.nextDouble() * (bounds.upper(d) - bounds.lower(d));
            }
            out.add(x);
        }
        return out;
    }

    /**
     * The genes' names with each model folder written as its alias in {@code run.models} (e.g.
     * {@code weight[expert1].layers0-0.all}), or x0, x1, ... for a box.
     */
    public List<String> geneNames(RunSpec spec) {
        List<String> out = new ArrayList<>();
        if (genome == null) {
            for (int i = 0; i < bounds.dimension(); i++) {
                out.add("x" + i);
            }
            return out;
        }
        // longest paths first, so a folder that is a prefix of another cannot take its place
        List<Map.Entry<String, String>> models = new ArrayList<>(spec.models().entrySet());
        models.sort((a, b) -> b.getValue().length() - a.getValue().length());
        for (String name : genome.geneNames()) {
            for (Map.Entry<String, String> m : models) {
                name = name.replace(m.getValue(), m.getKey());
            }
            out.add(name);
        }
        return out;
    }

    /** The mergekit YAML of a point of a merge genome; empty for a plain box. */
    public java.util.Optional<String> recipe(double[] genes) {
        return genome == null ? java.util.Optional.empty() : java.util.Optional.of(genome.yaml(genes));
    }

    /** Identical keys mean identical merges (evaluated once). */
    public String key(double[] genes) {
        return genome == null ? Arrays.toString(genes) : genome.key(genes);
    }

    public boolean merges() {
        return genome != null;
    }
}
