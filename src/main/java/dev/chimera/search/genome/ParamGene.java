package dev.chimera.search.genome;

import dev.chimera.search.SearchException;

/**
 * One evolved merge parameter with its bounds: per model (weight, density, epsilon, gamma) or global (t, lambda).
 */
public record ParamGene(String name, double lower, double upper, boolean perModel) {
    public ParamGene {
        if (!(lower <= upper)) {
            throw new SearchException("parameter " + name + ": bounds [" + lower + ", " + upper + "] are empty");
        }
    }

    public static ParamGene perModel(String name, double lower, double upper) {
        return new ParamGene(name, lower, upper, true);
    }

    public static ParamGene global(String name, double lower, double upper) {
        return new ParamGene(name, lower, upper, false);
    }
}
