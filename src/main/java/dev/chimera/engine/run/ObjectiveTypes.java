package dev.chimera.engine.run;

import dev.chimera.Registry;
import java.util.List;

/** The registry of objective types written in Java ({@link ObjectiveType}): plugins and registered ones. */
public final class ObjectiveTypes {
    private static final Registry<ObjectiveType> TYPES =
            new Registry<>("objective type", ObjectiveType.class, ObjectiveType::name, RunException::new, List.of());

    private ObjectiveTypes() {}

    /** Adds an objective type for every later run in this JVM; a taken name is refused. */
    public static void register(ObjectiveType type) {
        TYPES.register(type);
    }

    public static ObjectiveType get(String name) {
        return TYPES.get(name);
    }

    public static List<String> names() {
        return TYPES.names();
    }
}
