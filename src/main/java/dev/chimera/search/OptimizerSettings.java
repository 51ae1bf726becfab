package dev.chimera.search;

import com.typesafe.config.Config;
import java.util.Locale;

/**
 * Reading and checking optimizer settings (HOCON; an absent key takes the algorithm's documented default). Every
 * failed check is a SearchException whose message starts with the algorithm's name.
 */
final class OptimizerSettings {
    private OptimizerSettings() {}

    static int integer(Config c, String key, int fallback) {
        return c.hasPath(key) ? c.getInt(key) : fallback;
    }

    static double number(Config c, String key, double fallback) {
        return c.hasPath(key) ? c.getDouble(key) : fallback;
    }

    static boolean flag(Config c, String key, boolean fallback) {
        return c.hasPath(key) ? c.getBoolean(key) : fallback;
    }

    /** A word such as an operator name, case-insensitive (returned in lower case). */
    static String choice(Config c, String key, String fallback) {
        return c.hasPath(key) ? c.getString(key).toLowerCase(Locale.ROOT) : fallback;
    }

    static void require(String algorithm, boolean ok, String message) {
        if (!ok) {
            throw new SearchException(algorithm + ": " + message);
        }
    }

    static void requireSingleObjective(String algorithm, int objectives) {
        if (objectives != 1) {
            throw new SearchException(algorithm + " optimises exactly 1 objective, got " + objectives
                    + " (use a multi-objective algorithm such as nsga2)");
        }
    }
}
