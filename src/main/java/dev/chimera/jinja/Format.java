package dev.chimera.jinja;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Python's printf-style {@code %} formatting and {@code str.format}, for the conversions templates use. */
final class Format {
    private static final Pattern SPEC =
            Pattern.compile("%(?:\\(([^)]*)\\))?([-+ 0#]*)(\\*|\\d+)?(?:\\.(\\*|\\d+))?([diouxXeEfFgGcrsa%])");
    private static final Pattern FORMAT_SPEC =
            Pattern.compile("(?:(.)?([<>=^]))?([-+ ])?(0)?(\\d+)?(,)?(?:\\.(\\d+))?([bcdeEfFgGnosxX%])?");

    private Format() {}

    static String percent(String fmt, Object args) {
        List<Object> positional = args instanceof PyTuple t ? t.items() : List.of(args == null ? "None" : args);
        boolean none = args == null;
        Matcher m = SPEC.matcher(fmt);
        StringBuilder b = new StringBuilder();
        int last = 0;
        int next = 0;
        while (m.find()) {
            b.append(fmt, last, m.start());
            last = m.end();
            char type = m.group(5).charAt(0);
            if (type == '%') {
                b.append('%');
                continue;
            }
            Object v;
            if (m.group(1) != null) {
                if (!(args instanceof Map<?, ?> map)) {
                    throw new JinjaException("format requires a mapping");
                }
                v = map.get(m.group(1));
            } else {
                if (next >= positional.size()) {
                    throw new JinjaException("not enough arguments for format string");
                }
                v = none && !(args instanceof PyTuple) ? null : positional.get(next);
                next++;
            }
            int width = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            Integer precision = m.group(4) == null ? null : Integer.parseInt(m.group(4));
            b.append(pad(convert(v, type, precision, m.group(2)), width, m.group(2), type));
        }
        if (!(args instanceof Map) && next < positional.size()) {
            throw new JinjaException("not all arguments converted during string formatting");
        }
        return b.append(fmt.substring(last)).toString();
    }

    private static String convert(Object v, char type, Integer precision, String flags) {
        String sign = flags.contains("+") ? "+" : flags.contains(" ") ? " " : "";
        return switch (type) {
            case 's', 'a' -> {
                String s = Py.str(v);
                yield precision == null ? s : s.substring(0, Math.min(s.length(), precision));
            }
            case 'r' -> Py.repr(v);
            case 'd', 'i', 'u' -> withSign(integer(v), sign);
            case 'x' -> withSign(Long.toHexString(integer(v)), "");
            case 'X' -> Long.toHexString(integer(v)).toUpperCase(Locale.ROOT);
            case 'o' -> Long.toOctalString(integer(v));
            case 'c' -> v instanceof String s ? s : new String(Character.toChars((int) integer(v)));
            case 'f', 'F' -> withSign(fixed(number(v), precision == null ? 6 : precision), sign);
            case 'e', 'E' -> {
                String s = exponent(number(v), precision == null ? 6 : precision);
                yield withSign(type == 'E' ? s.toUpperCase(Locale.ROOT) : s, sign);
            }
            default -> withSign(general(number(v), precision == null ? 6 : precision), sign);
        };
    }

    private static String withSign(Object text, String sign) {
        String s = text.toString();
        return s.startsWith("-") ? s : sign + s;
    }

    private static String pad(String s, int width, String flags, char type) {
        int len = s.codePointCount(0, s.length());
        if (len >= width) {
            return s;
        }
        String fill = " ".repeat(width - len);
        if (flags.contains("-")) {
            return s + fill;
        }
        if (flags.contains("0") && "diouxXeEfFgG".indexOf(type) >= 0) {
            boolean signed = s.startsWith("-") || s.startsWith("+") || s.startsWith(" ");
            String zeros = "0".repeat(width - len);
            return signed ? s.charAt(0) + zeros + s.substring(1) : zeros + s;
        }
        return fill + s;
    }

    private static long integer(Object v) {
        if (v instanceof Double d) {
            return (long) d.doubleValue();
        }
        if (v instanceof Long || v instanceof Boolean) {
            return Py.toLong(v);
        }
        throw new JinjaException("%d format: a real number is required, not " + Py.typeName(v));
    }

    private static double number(Object v) {
        if (Py.isNumber(v)) {
            return Py.toDouble(v);
        }
        throw new JinjaException("must be real number, not " + Py.typeName(v));
    }

    static String fixed(double d, int precision) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Py.floatRepr(d);
        }
        return new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String exponent(double d, int precision) {
        String s = String.format(Locale.ROOT, "%." + precision + "e", d);
        int e = s.indexOf('e');
        String mant = s.substring(0, e);
        int exp = Integer.parseInt(s.substring(e + 1));
        return mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    private static String general(double d, int precision) {
        int p = precision == 0 ? 1 : precision;
        if (d == 0) {
            return "0";
        }
        int exp = (int) Math.floor(Math.log10(Math.abs(d)));
        String s;
        if (exp < -4 || exp >= p) {
            s = exponent(d, p - 1);
            String mant = s.substring(0, s.indexOf('e'));
            if (mant.contains(".")) {
                mant = mant.replaceAll("0+$", "").replaceAll("\\.$", "");
            }
            return mant + s.substring(s.indexOf('e'));
        }
        s = fixed(d, Math.max(0, p - 1 - exp));
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    /** Python's {@code str.format} with positional and named fields and simple format specs. */
    static String format(String fmt, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder b = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c == '{' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '{') {
                b.append('{');
                i++;
            } else if (c == '}' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '}') {
                b.append('}');
                i++;
            } else if (c == '{') {
                int close = fmt.indexOf('}', i);
                if (close < 0) {
                    throw new JinjaException("single '{' encountered in format string");
                }
                String field = fmt.substring(i + 1, close);
                String spec = "";
                int colon = field.indexOf(':');
                if (colon >= 0) {
                    spec = field.substring(colon + 1);
                    field = field.substring(0, colon);
                }
                boolean repr = field.endsWith("!r");
                if (repr || field.endsWith("!s")) {
                    field = field.substring(0, field.length() - 2);
                }
                Object v;
                if (field.isEmpty()) {
                    v = arg(args, auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    v = arg(args, Integer.parseInt(field));
                } else if (kwargs.containsKey(field)) {
                    v = kwargs.get(field);
                } else {
                    throw new JinjaException("format: no argument named '" + field + "'");
                }
                b.append(formatSpec(repr ? Py.repr(v) : v, spec));
                i = close;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static Object arg(List<Object> args, int i) {
        if (i >= args.size()) {
            throw new JinjaException("format: replacement index " + i + " out of range");
        }
        return args.get(i);
    }

    private static String formatSpec(Object v, String spec) {
        if (spec.isEmpty()) {
            return Py.str(v);
        }
        Matcher m = FORMAT_SPEC.matcher(spec);
        if (!m.matches()) {
            throw new JinjaException("unsupported format spec '" + spec + "'");
        }
        String type = m.group(8);
        Integer precision = m.group(7) == null ? null : Integer.parseInt(m.group(7));
        String s;
        if (type == null) {
            s = v instanceof Double d && precision != null ? general(d, precision) : Py.str(v);
            if (v instanceof String && precision != null) {
                s = s.substring(0, Math.min(s.length(), precision));
            }
        } else {
            s = switch (type.charAt(0)) {
                case 'd', 'n' -> Long.toString(integer(v));
                case 'f', 'F' -> fixed(number(v), precision == null ? 6 : precision);
                case '%' -> fixed(number(v) * 100, precision == null ? 6 : precision) + "%";
                case 'e', 'E' -> exponent(number(v), precision == null ? 6 : precision);
                case 'g', 'G' -> general(number(v), precision == null ? 6 : precision);
                case 'x' -> Long.toHexString(integer(v));
                case 'X' -> Long.toHexString(integer(v)).toUpperCase(Locale.ROOT);
                case 'o' -> Long.toOctalString(integer(v));
                case 'b' -> Long.toBinaryString(integer(v));
                default -> Py.str(v);
            };
        }
        if (m.group(3) != null && m.group(3).equals("+") && !s.startsWith("-")) {
            s = "+" + s;
        }
        int width = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
        int len = s.codePointCount(0, s.length());
        if (len >= width) {
            return s;
        }
        String fill = m.group(1) != null ? m.group(1) : m.group(4) != null ? "0" : " ";
        char align = m.group(2) != null
                ? m.group(2).charAt(0)
                : (v instanceof String ? '<' : m.group(4) != null ? '=' : '>');
        int n = width - len;
        return switch (align) {
            case '<' -> s + fill.repeat(n);
            case '^' -> fill.repeat(n / 2) + s + fill.repeat(n - n / 2);
            case '=' ->
                s.startsWith("-") || s.startsWith("+")
                        ? s.charAt(0) + fill.repeat(n) + s.substring(1)
                        : fill.repeat(n) + s;
            default -> fill.repeat(n) + s;
        };
    }
}
