package dev.chimera.jinja;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Python {@code re} patterns on java.util.regex: {@code (?P<name>...)} and {@code (?P=name)} translated, Unicode
 * classes ({@code \d \w \s} match beyond ASCII, as for Python str patterns), and only \n ends a line.
 */
public final class PyRegex {
    private PyRegex() {}

    /** Compiles a Python pattern; a pattern Java cannot read is an error naming it. */
    public static Pattern compile(String pattern) {
        String p = pattern.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
        try {
            return Pattern.compile(p, Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES);
        } catch (PatternSyntaxException e) {
            throw new JinjaException("bad regular expression " + Py.repr(pattern) + ": " + e.getDescription());
        }
    }

    /** Python's {@code re.sub(pattern, repl, string, count)} (count 0: all). */
    public static String sub(String pattern, String repl, String string, long count) {
        Matcher m = compile(pattern).matcher(string);
        StringBuilder b = new StringBuilder();
        long n = 0;
        int last = 0;
        int pos = 0;
        while ((count == 0 || n < count) && pos <= string.length() && m.find(pos)) {
            b.append(string, last, m.start()).append(expand(repl, m));
            last = m.end();
            n++;
            // after an empty match the next search starts one character on, as Python's does
            pos = m.end() == m.start() ? m.end() + 1 : m.end();
        }
        return b.append(string.substring(last)).toString();
    }

    /** Python's replacement template: \1, \g<1>, \g<name>, and \n-style escapes. */
    private static String expand(String repl, Matcher m) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < repl.length(); i++) {
            char c = repl.charAt(i);
            if (c != '\\' || i + 1 >= repl.length()) {
                b.append(c);
                continue;
            }
            char d = repl.charAt(++i);
            if (Character.isDigit(d)) {
                int end = i + 1;
                if (end < repl.length() && Character.isDigit(repl.charAt(end))) {
                    end++;
                }
                String g = m.group(Integer.parseInt(repl.substring(i, end)));
                b.append(g == null ? "" : g);
                i = end - 1;
            } else if (d == 'g' && i + 1 < repl.length() && repl.charAt(i + 1) == '<') {
                int close = repl.indexOf('>', i);
                String name = repl.substring(i + 2, close);
                String g = name.chars().allMatch(Character::isDigit) ? m.group(Integer.parseInt(name)) : m.group(name);
                b.append(g == null ? "" : g);
                i = close;
            } else {
                switch (d) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case '\\' -> b.append('\\');
                    default -> b.append('\\').append(d);
                }
            }
        }
        return b.toString();
    }
}
