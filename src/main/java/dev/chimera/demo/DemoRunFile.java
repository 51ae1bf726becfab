package dev.chimera.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's run file: a HOCON template kept as a resource ({@code demo/demo.conf}, {@code demo/demo-multi.conf})
 * with {@code {{field}}} placeholders for what only the machine knows (zoo paths, seed, run folder, layer count). The
 * tunable choices (genome, algorithm, budget, n, estimator) live in the template; {@code --budget} and {@code --n}
 * are appended as HOCON overrides of its {@code demo} block, so the file stays readable and {@code chimera run} reads
 * it as it is.
 */
final class DemoRunFile {
    static final String FILE = "demo.conf";
    private static final Pattern FIELD = Pattern.compile("\\{\\{([a-z0-9-]+)}}");

    /** The rendered text and the budget and n it resolves to. */
    record Rendered(String text, int budget, int n) {}

    private DemoRunFile() {}

    static String resource(boolean multiObjective) {
        return multiObjective ? "demo/demo-multi.conf" : "demo/demo.conf";
    }

    /** The built-in template, or {@code custom} when given. */
    static String template(boolean multiObjective, Path custom) {
        if (custom != null) {
            try {
                return Files.readString(custom, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new DemoException("cannot read the template " + custom + ": " + e.getMessage(), e);
            }
        }
        String name = resource(multiObjective);
        try (InputStream in = DemoRunFile.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new DemoException("the demo's run file template " + name + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DemoException("cannot read the template " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fills the template. {@code budget}, {@code n} and {@code responseCache} are appended as overrides when not null.
     *
     * @throws DemoException for a placeholder without a value, or a template that does not parse
     */
    static Rendered render(
            boolean multiObjective,
            Path custom,
            Map<String, String> fields,
            Integer budget,
            Integer n,
            Path responseCache) {
        String template = template(multiObjective, custom);
        String rest = FIELD.matcher(template).replaceAll("");
        int stray = rest.indexOf("{{");
        if (stray >= 0) {
            throw new DemoException("template " + resource(multiObjective) + " has a malformed field at '"
                    + rest.substring(stray, Math.min(rest.length(), stray + 30))
                    + "' (fields are {{lower-case-name}})");
        }
        Matcher m = FIELD.matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = fields.get(m.group(1));
            if (v == null) {
                throw new DemoException("template " + resource(multiObjective) + " has a field {{" + m.group(1)
                        + "}} the demo does not fill (known: " + fields.keySet() + ")");
            }
            m.appendReplacement(b, Matcher.quoteReplacement(v));
        }
        m.appendTail(b);
        Map<String, String> overrides = new LinkedHashMap<>();
        if (budget != null) {
            overrides.put("demo.budget", Integer.toString(budget));
        }
        if (n != null) {
            overrides.put("demo.n", Integer.toString(n));
        }
        if (responseCache != null) {
            overrides.put(
                    "run.response-cache", quoted(responseCache.toAbsolutePath().toString()));
        }
        if (!overrides.isEmpty()) {
            b.append("\n# set by chimera demo's options (later keys override the ones above)\n");
            overrides.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
        }
        String text = b.toString();
        try {
            Config c = ConfigFactory.parseString(text).resolve();
            return new Rendered(text, c.getInt("demo.budget"), c.getInt("demo.n"));
        } catch (ConfigException e) {
            throw new DemoException(
                    "template " + resource(multiObjective) + " does not parse once filled in: " + e.getMessage(), e);
        }
    }

    /** Escapes a value for a HOCON quoted string (the template supplies the quotes). */
    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    static String quoted(String s) {
        return '"' + escape(s) + '"';
    }
}
