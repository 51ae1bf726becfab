package dev.chimera.engine.run;

import com.typesafe.config.Config;
import dev.chimera.merge.arch.Architecture;
import dev.chimera.merge.arch.LayerGroups;
import dev.chimera.search.genome.Genome;
import java.util.List;

/**
 * One kind of merge search space, by the name a run file's {@code run.genome.type} gives. {@link #create} runs on
 * the coordinator and on every worker from the same run spec and must build the same genome there (no randomness, no
 * node-local state). Built-in: {@code parameters} and {@code layer-path}; a plugin lists its classes (public,
 * no-argument constructor) in {@code META-INF/services/dev.chimera.engine.run.GenomeType}, or code calls
 * {@link GenomeTypes#register}.
 */
public interface GenomeType {
    /** The name a run file gives, e.g. {@code layer-path}. */
    String name();

    /** The search space of a run. */
    Genome create(Context context);

    /**
     * What a genome is built from.
     *
     * @param spec         the whole run spec
     * @param genome       {@code run.genome} as parsed (method, params, layer groups, ...)
     * @param settings     {@code run.genome} as written, for keys of the plugin's own
     * @param models       the genome's model folders ({@code run.genome.models}), in order
     * @param baseModel    the base model's folder, or null
     * @param architecture the architecture definition of the base (or first) model
     * @param layers       the layer count of its main module ({@code run.genome.layers} when given)
     */
    record Context(
            RunSpec spec,
            RunSpec.GenomeSpec genome,
            Config settings,
            List<String> models,
            String baseModel,
            Architecture architecture,
            int layers) {
        /** The tensor-name filters of the architecture's attention, MLP, embedding, head and output projections. */
        public LayerGroups groups() {
            return architecture.mainModule().groups() != null
                    ? architecture.mainModule().groups()
                    : LayerGroups.LLAMA;
        }
    }
}
