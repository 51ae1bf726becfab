package dev.chimera.eval;

import dev.chimera.jinja.Jinja;
import dev.chimera.jinja.JinjaException;
import dev.chimera.jinja.Template;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template (the Jinja {@code chat_template} of tokenizer_config.json or chat_template.jinja)
 * rendered as transformers' {@code apply_chat_template(..., tokenize=False)} renders it: Chimera's Jinja2 engine
 * ({@link Jinja#transformers()}, Python semantics, so Qwen3's slices and str methods work) with the variables
 * transformers passes: {@code messages}, {@code tools} and {@code documents} (None unless given),
 * {@code add_generation_prompt}, the tokenizer's named special tokens that are set, and any extra keyword
 * ({@code enable_thinking}, {@code date_string}, ...). A template that raises (roles that do not alternate, a
 * system message it does not support) is an {@link EvalException} with the template's own message.
 */
public final class ChatTemplate {
    /** One chat message. */
    public record Message(String role, String content) {
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }
    }

    private static final Jinja ENV = Jinja.transformers();

    private final String source;
    private final Template template;
    private final Map<String, String> specialTokens;

    /**
     * @param specialTokens transformers' special-token map: bos_token, eos_token, ... (only those the tokenizer sets)
     * @throws EvalException when the template does not parse (naming the line)
     */
    public ChatTemplate(String template, Map<String, String> specialTokens) {
        this.source = Objects.requireNonNull(template, "template");
        this.specialTokens = Map.copyOf(specialTokens);
        try {
            this.template = ENV.compile(template);
        } catch (JinjaException e) {
            throw new EvalException("cannot parse the chat template: " + e.getMessage(), e);
        }
    }

    /** A template with a bos and an eos token (null: not set). */
    public ChatTemplate(String template, String bosToken, String eosToken) {
        this(template, tokens(bosToken, eosToken));
    }

    private static Map<String, String> tokens(String bos, String eos) {
        Map<String, String> m = new HashMap<>();
        if (bos != null) {
            m.put("bos_token", bos);
        }
        if (eos != null) {
            m.put("eos_token", eos);
        }
        return m;
    }

    /** The chat template of a tokenizer folder; error naming the folder when it has none. */
    public static ChatTemplate of(Tokenizer tokenizer) {
        String t = tokenizer
                .chatTemplate()
                .orElseThrow(() -> new EvalException(tokenizer.folder()
                        + " has no chat_template (neither chat_template.jinja nor one in tokenizer_config.json)"));
        return new ChatTemplate(t, tokenizer.specialTokens());
    }

    /**
     * Renders plain role/content messages.
     *
     * @param enableThinking null to leave {@code enable_thinking} undefined
     */
    public String render(List<Message> messages, boolean addGenerationPrompt, Boolean enableThinking) {
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (Message m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        Map<String, Object> kwargs = new HashMap<>();
        if (enableThinking != null) {
            kwargs.put("enable_thinking", enableThinking);
        }
        return render(msgs, addGenerationPrompt, kwargs);
    }

    /**
     * Renders messages of any shape (tool calls, reasoning_content, ...) with extra template variables
     * ({@code tools}, {@code documents}, {@code enable_thinking}, ...), as apply_chat_template's keyword arguments.
     *
     * @throws EvalException when the template raises or fails, with its message
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> kwargs) {
        Map<String, Object> ctx = new HashMap<>(specialTokens);
        ctx.put("tools", null);
        ctx.put("documents", null);
        ctx.putAll(kwargs);
        ctx.put("messages", messages);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        try {
            return template.render(ctx);
        } catch (JinjaException e) {
            throw new EvalException(
                    (Template.raisedByTemplate(e)
                                    ? "the chat template refused this conversation: "
                                    : "cannot render the chat template: ")
                            + e.getMessage(),
                    e);
        }
    }

    public String template() {
        return source;
    }
}
