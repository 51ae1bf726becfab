package dev.chimera.engine.run;

import dev.chimera.Registry;
import dev.chimera.merge.method.MergeMethods;
import dev.chimera.search.genome.Genome;
import dev.chimera.search.genome.LayerPathGenome;
import dev.chimera.search.genome.ParamGene;
import dev.chimera.search.genome.ParameterGenome;
import java.util.List;
import java.util.function.Function;

/** The registry of genome types ({@link GenomeType}): {@code parameters}, {@code layer-path}, plugins, registered. */
public final class GenomeTypes {
    private static final Registry<GenomeType> TYPES = new Registry<>(
            "genome type",
            GenomeType.class,
            GenomeType::name,
            RunException::new,
            List.of(named("parameters", GenomeTypes::parameters), named("layer-path", GenomeTypes::layerPath)));

    private GenomeTypes() {}

    /** Adds a genome type for every later run in this JVM; a taken name is refused. */
    public static void register(GenomeType type) {
        TYPES.register(type);
    }

    public static GenomeType get(String name) {
        return TYPES.get(name);
    }

    /** Every name, built-in ones first. */
    public static List<String> names() {
        return TYPES.names();
    }

    /** mergekit-evolve's and Mergenetic's space: a merge method's parameters per model, layer group and module. */
    private static Genome parameters(GenomeType.Context c) {
        RunSpec.GenomeSpec g = c.genome();
        ParameterGenome.Builder b = ParameterGenome.builder(g.method())
                .models(c.models())
                .layers(c.layers(), g.layerGroups())
                .groups(c.groups())
                .moduleFilters(g.moduleFilters())
                .embedGroup(g.embedGroup())
                .headGroup(g.headGroup())
                .smooth(g.smooth())
                .dtype(g.dtype());
        if (c.baseModel() != null) {
            b.baseModel(c.baseModel());
        }
        var method = MergeMethods.get(g.method());
        for (RunSpec.Param p : g.params()) {
            boolean global =
                    method.globalParams().stream().anyMatch(d -> d.name().equals(p.name()));
            b.param(
                    global
                            ? ParamGene.global(p.name(), p.min(), p.max())
                            : ParamGene.perModel(p.name(), p.min(), p.max()));
        }
        g.fixed().forEach(b::fixed);
        return b.build();
    }

    /** Sakana's data-flow space: which layer of which model comes next. */
    private static Genome layerPath(GenomeType.Context c) {
        RunSpec.GenomeSpec g = c.genome();
        int depth = g.maxDepth() > 0 ? g.maxDepth() : c.layers() * g.repeats();
        return new LayerPathGenome(
                c.models(),
                c.layers(),
                g.repeats(),
                depth,
                g.scales(),
                g.scaleMin(),
                g.scaleMax(),
                g.dtype(),
                c.groups());
    }

    private static GenomeType named(String name, Function<GenomeType.Context, Genome> create) {
        return new GenomeType() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Genome create(Context context) {
                return create.apply(context);
            }
        };
    }
}
