package dev.chimera.extending;

import dev.chimera.engine.run.GenomeType;
import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.Setting;
import dev.chimera.search.Bounds;
import dev.chimera.search.genome.Genome;
import java.util.List;
import java.util.Map;

/**
 * docs/extending.md's example genome: one gene t in [0, 1] that slides a linear merge from the second model (t = 0)
 * to the first (t = 1), with weights t and 1 - t. A run file names it {@code genome { type = weight-slider,
 * models = [a, b] }} once {@link Type} is registered.
 */
public final class WeightSliderGenome implements Genome {
    private final String first;
    private final String second;

    public WeightSliderGenome(String first, String second) {
        this.first = first;
        this.second = second;
    }

    /** The genome type a plugin registers. */
    public static final class Type implements GenomeType {
        @Override
        public String name() {
            return "weight-slider";
        }

        @Override
        public Genome create(Context context) {
            if (context.models().size() != 2) {
                throw new IllegalArgumentException("weight-slider slides between two models, got " + context.models());
            }
            return new WeightSliderGenome(
                    context.models().get(0), context.models().get(1));
        }
    }

    @Override
    public Bounds bounds() {
        return Bounds.uniform(1, 0, 1);
    }

    @Override
    public List<String> geneNames() {
        return List.of("t");
    }

    @Override
    public MergeConfig decode(double[] genes) {
        checkLength(genes);
        double t = bounds().clip(genes)[0];
        return new MergeConfig(
                List.of(
                        new MergeConfig.InputModel(first, Map.of("weight", Setting.of(t))),
                        new MergeConfig.InputModel(second, Map.of("weight", Setting.of(1 - t)))),
                List.of(),
                "linear",
                null,
                Map.of(),
                null,
                null,
                null);
    }
}
