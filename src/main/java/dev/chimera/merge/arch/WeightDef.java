package dev.chimera.merge.arch;

import dev.chimera.merge.method.MergeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One tensor of an architecture, possibly a template: {@code $layer}, {@code $expert} and {@code $num_layers} (each
 * also with {@code +1} or {@code -1}, as mergekit's {@code ${layer_index+1}}) are filled in per layer and expert. The
 * {@code $} form, unlike braces, needs no quotes inside YAML's flow lists and mappings.
 *
 * @param name       the tensor's name as the architecture writes it
 * @param embed      an embedding table or output head (trimmed or permuted to the output vocabulary)
 * @param optional   may be absent; skipped when no input has it under its name or an alias
 * @param aliases    other names older checkpoints use for the same tensor
 * @param tied       names read instead when the tensor is absent (an output head tied to the embedding)
 * @param forceDtype dtype the tensor is read and written as whatever the merge's dtype (null: none)
 */
public record WeightDef(
        String name, boolean embed, boolean optional, List<String> aliases, List<String> tied, String forceDtype) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$([a-z_]+)([+-]1)?");

    public WeightDef {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        tied = tied == null ? List.of() : List.copyOf(tied);
    }

    /** A plain required tensor. */
    public static WeightDef of(String name) {
        return new WeightDef(name, false, false, List.of(), List.of(), null);
    }

    /** The name and the aliases: every name under which a checkpoint stores this very tensor. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        out.add(name);
        out.addAll(aliases);
        return out;
    }

    /** True when any name of this weight holds a placeholder for {@code variable}. */
    boolean uses(String variable) {
        for (String n : allTemplates()) {
            Matcher m = PLACEHOLDER.matcher(n);
            while (m.find()) {
                if (m.group(1).equals(variable)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The placeholders' variable names that are not in {@code known}, for checking a definition when it is read. */
    List<String> unknownVariables(List<String> known) {
        List<String> out = new ArrayList<>();
        for (String n : allTemplates()) {
            Matcher m = PLACEHOLDER.matcher(n);
            while (m.find()) {
                if (!known.contains(m.group(1))) {
                    out.add(m.group());
                }
            }
        }
        return out;
    }

    /** This weight with its placeholders filled in and {@code prefix} (may be empty) before every name. */
    WeightDef resolve(Map<String, Integer> values, String prefix) {
        return new WeightDef(
                prefix + fill(name, values),
                embed,
                optional,
                aliases.stream().map(a -> prefix + fill(a, values)).toList(),
                tied.stream().map(t -> prefix + fill(t, values)).toList(),
                forceDtype);
    }

    private List<String> allTemplates() {
        List<String> out = new ArrayList<>(names());
        out.addAll(tied);
        return out;
    }

    private static String fill(String template, Map<String, Integer> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Integer v = values.get(m.group(1));
            if (v == null) {
                throw new MergeException("weight " + template + ": placeholder " + m.group() + " has no value here");
            }
            int delta = m.group(2) == null ? 0 : m.group(2).equals("+1") ? 1 : -1;
            m.appendReplacement(sb, Integer.toString(v + delta));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
