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
import java.util.stream.Collectors;

/**
 * A Hugging Face chat template (the Jinja {@code chat_template} of tokenizer_config.json) rendered with Jinjava,
 * configured like transformers' sandbox ({@code trim_blocks}, {@code lstrip_blocks}, {@code {{-}}/{@code -}}}
 * whitespace control on expressions). The context is {@code messages} (list of {role, content}),
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} and {@code enable_thinking} when given.
 *
 * <p>Jinjava is not Jinja2: it has no {@code namespace(...)} with keyword arguments, no extended slices such as
 * {@code [::-1]} and no Python string methods ({@code lstrip('\n')}, {@code startswith}). A template using them
 * (Qwen3's does) makes {@link #render} throw an {@link EvalException} naming the Jinjava error; nothing is ever
 * rendered half-right. A task can use a plain {@code {question}} prompt instead.
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
        String t = tokenizer.chatTemplate().orElseThrow(() -> new EvalException(
                "tokenizer_config.json in " + tokenizer.folder() + " has no chat_template (string)"));
        return new ChatTemplate(t, tokenizer.bosToken().orElse(null), tokenizer.eosToken().orElse(null));
    }

    /**
     * Renders the template.
     *
     * @param enableThinking null to leave {@code enable_thinking} undefined
     * @throws EvalException when Jinjava reports any error (unsupported syntax, unknown function, ...)
     */
    public String render(List<Message> messages, boolean addGenerationPrompt, Boolean enableThinking) {
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
            String detail = errors.stream().limit(3)
                    .map(e -> "line " + e.getLineno() + ": " + e.getMessage())
                    .collect(Collectors.joining("; "));
            throw new EvalException("Jinjava cannot render this chat template (" + errors.size() + " error(s): "
                    + detail + "); it probably uses Python/Jinja2 features Jinjava lacks (namespace(...) with"
                    + " keyword arguments, [::-1] slices, str methods); use a plain {question} prompt instead");
        }
        return result.getOutput();
    }

    public String template() {
        return template;
    }
}
