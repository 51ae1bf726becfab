package dev.chimera.eval;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Hugging Face chat template (the Jinja {@code chat_template} of tokenizer_config.json) rendered with Jinjava,
 * configured like transformers' sandbox ({@code trim_blocks}, {@code lstrip_blocks}, {@code {{-}}/{@code -}}}
 * whitespace control on expressions). The context is {@code messages} (list of {role, content}),
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} and {@code enable_thinking} when given.
 *
 * <p>Jinjava (2.7.4) is not Jinja2. {@code namespace(a=..., b=...)} and {@code set ns.a = ...} work, but extended
 * slices ({@code messages[::-1]}) are a syntax error, and method calls resolve to <em>Java</em> String methods:
 * {@code startswith}, {@code endswith}, {@code lstrip(chars)}, {@code rstrip(chars)} do not exist (error), and
 * {@code split(sep)} silently runs Java's regex split, which drops trailing empty strings (Python's
 * {@code 'a</think>'.split('</think>')[-1]} is '', Java's is 'a') and {@code strip(chars)} has no Java
 * equivalent. Qwen3's template uses all of these. {@link #render} therefore scans the template for these constructs
 * first and throws an {@link EvalException} listing each with its line, and also throws on any Jinjava error; nothing
 * is ever rendered half-right. A task can use a plain {@code {question}} prompt instead.
 */
public final class ChatTemplate {
    /** One chat message. */
    public record Message(String role, String content) {
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }
    }

    private static final JinjavaConfig CONFIG = JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            .withFailOnUnknownTokens(false)
            .withLegacyOverrides(LegacyOverrides.newBuilder()
                    .withUseTrimmingForNotesAndExpressions(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .withKeepNullableLoopValues(true)
                    .build())
            .build();

    /** Python-only constructs that Jinjava rejects or, worse, evaluates with Java semantics (see the class doc). */
    private static final Pattern UNSUPPORTED = Pattern.compile(
            "\\[\\s*-?\\d*\\s*:\\s*-?\\d*\\s*:" // extended slice [a:b:c]
                    + "|\\.(?:startswith|endswith|lstrip|rstrip|split|rsplit|strip)\\s*\\(\\s*[^)\\s]"); // str method
    // with args

    private final String template;
    private final String bosToken;
    private final String eosToken;

    public ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = Objects.requireNonNull(template, "template");
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    /** The chat template of a tokenizer folder; error naming the folder when it has none. */
    public static ChatTemplate of(Tokenizer tokenizer) {
        String t = tokenizer
                .chatTemplate()
                .orElseThrow(() -> new EvalException(tokenizer.folder()
                        + " has no chat_template (neither chat_template.jinja nor one in tokenizer_config.json)"));
        return new ChatTemplate(
                t, tokenizer.bosToken().orElse(null), tokenizer.eosToken().orElse(null));
    }

    /**
     * Renders the template.
     *
     * @param enableThinking null to leave {@code enable_thinking} undefined
     * @throws EvalException when Jinjava reports any error (unsupported syntax, unknown function, ...)
     */
    public String render(List<Message> messages, boolean addGenerationPrompt, Boolean enableThinking) {
        List<String> unsupported = unsupportedConstructs(template);
        if (!unsupported.isEmpty()) {
            throw new EvalException("Jinjava cannot render this chat template: it uses Python/Jinja2 constructs that"
                    + " Jinjava rejects or evaluates with Java semantics: " + String.join("; ", unsupported)
                    + "; use a plain {question} prompt instead");
        }
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (Message m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.put("bos_token", bosToken == null ? "" : bosToken);
        ctx.put("eos_token", eosToken == null ? "" : eosToken);
        if (enableThinking != null) {
            ctx.put("enable_thinking", enableThinking);
        }
        RenderResult result;
        try {
            result = new Jinjava(CONFIG).renderForResult(template, ctx);
        } catch (RuntimeException e) {
            throw new EvalException("Jinjava cannot render this chat template: " + e.getMessage(), e);
        }
        List<TemplateError> errors = result.getErrors().stream()
                .filter(e -> e.getSeverity() != TemplateError.ErrorType.WARNING)
                .collect(Collectors.toList());
        if (!errors.isEmpty()) {
            String detail = errors.stream()
                    .limit(3)
                    .map(e -> "line " + e.getLineno() + ": " + e.getMessage())
                    .collect(Collectors.joining("; "));
            throw new EvalException("Jinjava cannot render this chat template (" + errors.size() + " error(s): "
                    + detail + "); it probably uses Python/Jinja2 features Jinjava lacks (namespace(...) with"
                    + " keyword arguments, [::-1] slices, str methods); use a plain {question} prompt instead");
        }
        return result.getOutput();
    }

    /** Each Python-only construct of a template as "line N: text". */
    static List<String> unsupportedConstructs(String template) {
        List<String> found = new ArrayList<>();
        String[] lines = template.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = UNSUPPORTED.matcher(lines[i]);
            while (m.find()) {
                String what = m.group().startsWith("[")
                        ? "extended slice " + m.group() + "...]"
                        : "Python str method "
                                + m.group().substring(1, m.group().indexOf('(')).trim() + "(...)";
                found.add("line " + (i + 1) + ": " + what);
            }
        }
        return found;
    }

    public String template() {
        return template;
    }
}
