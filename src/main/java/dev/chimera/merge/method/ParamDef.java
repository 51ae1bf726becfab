package dev.chimera.merge.method;

/**
 * A parameter a merge method reads, as mergekit's {@code ConfigParameterDef}: its name, whether it must be given,
 * and its default (a Double, Boolean, or null).
 */
public record ParamDef(String name, boolean required, Object defaultValue) {
    public static ParamDef required(String name) {
        return new ParamDef(name, true, null);
    }

    public static ParamDef optional(String name, Object defaultValue) {
        return new ParamDef(name, false, defaultValue);
    }
}
