package dev.chimera.search.genome;

import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeConfigYaml;
import dev.chimera.search.Bounds;
import java.util.List;

/**
 * A search space over merge recipes: a box of genes and a pure function from genes to a {@link MergeConfig}
 * (which {@code chimera merge} and mergekit both accept once written as YAML).
 */
public interface Genome {
    Bounds bounds();

    /** A readable name per gene, e.g. {@code weight[wizardmath].layers0-7.self_attn}. */
    List<String> geneNames();

    MergeConfig decode(double[] genes);

    default int dimension() {
        return bounds().dimension();
    }

    /** The portable recipe: mergekit YAML of the decoded genes. */
    default String yaml(double[] genes) {
        return MergeConfigYaml.write(decode(genes));
    }

    /** Identical keys mean identical merges, so a candidate whose key was seen is not evaluated again. */
    default String key(double[] genes) {
        return yaml(genes);
    }

    /** Checks the length of a gene vector. */
    default void checkLength(double[] genes) {
        if (genes.length != dimension()) {
            throw new IllegalArgumentException(
                    "genome of dimension " + dimension() + " got " + genes.length + " genes");
        }
    }
}
