package dev.chimera.jinja;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A compiled template; rendering is thread-safe. */
public final class Template {
    private final Jinja env;
    private final List<Node> body;

    Template(Jinja env, List<Node> body) {
        this.env = env;
        this.body = body;
    }

    /**
     * Renders with the given variables (Java values: String, numbers, Boolean, null, List, Map, arrays, Jackson
     * trees).
     *
     * @throws JinjaException on any error, naming the template line; nothing is returned half-rendered
     */
    public String render(Map<String, ?> context) {
        Map<String, Object> vars = new HashMap<>();
        context.forEach((k, v) -> vars.put(k, Py.of(v)));
        return new Renderer(env).render(body, vars);
    }

    /** True when the template raised the error itself (transformers' {@code raise_exception}). */
    public static boolean raisedByTemplate(JinjaException e) {
        return e instanceof Builtins.TemplateRaised;
    }
}
