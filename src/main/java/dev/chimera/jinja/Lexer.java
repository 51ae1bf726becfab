package dev.chimera.jinja;

import dev.chimera.jinja.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja2's lexer (jinja2/lexer.py, 3.1) for the default delimiters: newlines normalised to \n, one trailing newline
 * dropped unless kept, {@code -}/{@code +} whitespace control, {@code trim_blocks} (the newline after a block or
 * comment tag), {@code lstrip_blocks} (the spaces before a block or comment tag that starts its line), raw blocks,
 * Python string escapes, and tag ends ignored inside brackets.
 */
final class Lexer {
    private static final Pattern ROOT_TAG = Pattern.compile("\\{([{%#])([-+]?)");
    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%([-+]?)\\s*raw\\s*(?:-%}\\s*|%})");
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*(\\+%}|-%}\\s*|%})");
    private static final Pattern NAME = Pattern.compile("[\\p{L}_][\\p{L}\\p{N}_]*");
    private static final Pattern FLOAT =
            Pattern.compile("(\\d+_)*\\d+((\\.(\\d+_)*\\d+)?[eE][+\\-]?(\\d+_)*\\d+|\\.(\\d+_)*\\d+)");
    private static final Pattern INT =
            Pattern.compile("0[bB](_?[01])+|0[oO](_?[0-7])+|0[xX](_?[\\da-fA-F])+|[1-9](_?\\d)*|0(_?0)*");
    private static final Pattern STRING =
            Pattern.compile("'([^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\"", Pattern.DOTALL);
    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=",
        ".", ":", "|", ",", ";"
    };

    private final String src;
    private final boolean trimBlocks;
    private final boolean lstripBlocks;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;
    private boolean lineStarting = true;

    private Lexer(String source, JinjaOptions options) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (!options.keepTrailingNewline() && s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        this.src = s;
        this.trimBlocks = options.trimBlocks();
        this.lstripBlocks = options.lstripBlocks();
    }

    static List<Token> tokenize(String source, JinjaOptions options) {
        Lexer l = new Lexer(source, options);
        l.run();
        return l.out;
    }

    private void run() {
        Matcher tag = ROOT_TAG.matcher(src);
        while (pos < src.length()) {
            if (!tag.find(pos)) {
                data(src.substring(pos));
                advanceTo(src.length());
                break;
            }
            String text = src.substring(pos, tag.start());
            char type = tag.group(1).charAt(0);
            Matcher raw = RAW_BEGIN.matcher(src).region(tag.start(), src.length());
            boolean isRaw = type == '%' && raw.lookingAt();
            String sign = isRaw ? raw.group(1) : tag.group(2);
            text = stripBeforeTag(text, sign, type != '{');
            data(text);
            int end = isRaw ? raw.end() : tag.end();
            advanceTo(end);
            lineStarting = src.charAt(end - 1) == '\n';
            switch (type) {
                case '#' -> comment();
                case '{' -> expression(Kind.VAR_BEGIN, Kind.VAR_END);
                default -> {
                    if (isRaw) {
                        rawBlock();
                    } else {
                        expression(Kind.BLOCK_BEGIN, Kind.BLOCK_END);
                    }
                }
            }
        }
        out.add(new Token(Kind.EOF, "", line));
    }

    /** Whitespace control before a tag: '-' strips all trailing whitespace; lstrip_blocks the line's indent. */
    private String stripBeforeTag(String text, String sign, boolean blockOrComment) {
        if (sign.equals("-")) {
            return Py.rstrip(text, null);
        }
        if (!sign.equals("+") && lstripBlocks && blockOrComment) {
            int lPos = text.lastIndexOf('\n') + 1;
            if ((lPos > 0 || lineStarting) && lPos < text.length() && Py.isBlank(text.substring(lPos))) {
                return text.substring(0, lPos);
            }
        }
        return text;
    }

    private void data(String text) {
        if (!text.isEmpty()) {
            out.add(new Token(Kind.DATA, text, line));
        }
    }

    private void advanceTo(int end) {
        for (int i = pos; i < end; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
        pos = end;
    }

    private void comment() {
        int close = src.indexOf("#}", pos);
        if (close < 0) {
            throw new JinjaException("line " + line + ": missing end of comment tag");
        }
        int end = close + 2;
        char before = close > pos ? src.charAt(close - 1) : ' ';
        if (before == '-') {
            end = skipWhitespace(end);
        } else if (before != '+' && trimBlocks && end < src.length() && src.charAt(end) == '\n') {
            end++;
        }
        advanceTo(end);
        lineStarting = src.charAt(end - 1) == '\n';
    }

    private void rawBlock() {
        Matcher m = RAW_END.matcher(src);
        if (!m.find(pos)) {
            throw new JinjaException("line " + line + ": missing end of raw directive");
        }
        String text = src.substring(pos, m.start());
        text = stripBeforeTag(text, m.group(1), true);
        data(text);
        int end = m.end();
        if (m.group(2).equals("%}") && trimBlocks && end < src.length() && src.charAt(end) == '\n') {
            end++;
        }
        advanceTo(end);
        lineStarting = src.charAt(end - 1) == '\n';
    }

    private int skipWhitespace(int i) {
        while (i < src.length() && Py.isSpace(src.codePointAt(i))) {
            i += Character.charCount(src.codePointAt(i));
        }
        return i;
    }

    /** The tokens of a {{ }} or {% %} tag up to and including its end. */
    private void expression(Kind begin, Kind endKind) {
        out.add(new Token(begin, "", line));
        String close = begin == Kind.VAR_BEGIN ? "}}" : "%}";
        Deque<Character> balance = new ArrayDeque<>();
        while (true) {
            if (pos >= src.length()) {
                throw new JinjaException("line " + line + ": unexpected end of template, expected '" + close + "'");
            }
            int ws = skipWhitespace(pos);
            if (ws > pos) {
                advanceTo(ws);
                continue;
            }
            if (balance.isEmpty()) {
                int end = -1;
                if (src.startsWith("-" + close, pos)) {
                    end = skipWhitespace(pos + 3);
                } else if (begin == Kind.BLOCK_BEGIN && src.startsWith("+" + close, pos)) {
                    end = pos + 3;
                } else if (src.startsWith(close, pos)) {
                    end = pos + 2;
                    if (begin == Kind.BLOCK_BEGIN && trimBlocks && end < src.length() && src.charAt(end) == '\n') {
                        end++;
                    }
                }
                if (end >= 0) {
                    out.add(new Token(endKind, "", line));
                    advanceTo(end);
                    lineStarting = src.charAt(end - 1) == '\n';
                    return;
                }
            }
            Matcher m;
            if ((m = NAME.matcher(src).region(pos, src.length())).lookingAt()) {
                token(Kind.NAME, m.group(), m.end());
            } else if ((m = STRING.matcher(src).region(pos, src.length())).lookingAt()) {
                String body = m.group(1) != null ? m.group(1) : m.group(2);
                token(Kind.STRING, unescape(body), m.end());
            } else if ((m = FLOAT.matcher(src).region(pos, src.length())).lookingAt()) {
                token(Kind.FLOAT, m.group().replace("_", ""), m.end());
            } else if ((m = INT.matcher(src).region(pos, src.length())).lookingAt()) {
                token(Kind.INT, m.group().replace("_", ""), m.end());
            } else {
                String op = null;
                for (String o : OPERATORS) {
                    if (src.startsWith(o, pos)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw new JinjaException("line " + line + ": unexpected char '" + src.charAt(pos) + "'");
                }
                char c = op.charAt(0);
                if (op.length() == 1 && "([{".indexOf(c) >= 0) {
                    balance.push(c);
                } else if (op.length() == 1 && ")]}".indexOf(c) >= 0) {
                    char expected = c == ')' ? '(' : c == ']' ? '[' : '{';
                    if (balance.isEmpty() || balance.pop() != expected) {
                        throw new JinjaException("line " + line + ": unexpected '" + c + "'");
                    }
                }
                token(Kind.OP, op, pos + op.length());
            }
        }
    }

    private void token(Kind kind, String value, int end) {
        out.add(new Token(kind, value, line));
        advanceTo(end);
        lineStarting = src.charAt(end - 1) == '\n';
    }

    /** Python's unicode-escape decoding of a string literal's body (unknown escapes stay as written). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case '\n' -> {}
                case '\\' -> b.append('\\');
                case '\'' -> b.append('\'');
                case '"' -> b.append('"');
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'v' -> b.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int len = n == 'x' ? 2 : n == 'u' ? 4 : 8;
                    if (i + 1 + len > s.length()) {
                        throw new JinjaException("truncated \\" + n + " escape in string literal");
                    }
                    String hex = s.substring(i + 1, i + 1 + len);
                    try {
                        b.appendCodePoint(Integer.parseInt(hex, 16));
                    } catch (NumberFormatException e) {
                        throw new JinjaException("truncated \\" + n + " escape in string literal");
                    }
                    i += len;
                }
                default -> {
                    if (n >= '0' && n <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        b.appendCodePoint(Integer.parseInt(s.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        b.append('\\').append(n);
                    }
                }
            }
        }
        return b.toString();
    }
}
