package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected strings come from Hugging Face: {@code AutoTokenizer.from_pretrained(llama2-style-32k)
 * .apply_chat_template(messages, chat_template=TEMPLATE, tokenize=False, add_generation_prompt=..., [enable_thinking=False])}
 * (transformers 5.18, Jinja2 3.1.6, in /work/oracle/venv), computed once and pasted here. The real Qwen3 template
 * needs Jinja2 features Jinjava lacks, so for it the test asserts the clear error instead.
 */
class ChatTemplateTest {
    static final String CHATML =
            "{%- for message in messages %}\n    {{- '<|im_start|>' + message['role'] + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n    {%- if enable_thinking is defined and enable_thinking is false %}\n        {{- '<think>\\n\\n</think>\\n\\n' }}\n    {%- endif %}\n{%- endif %}";
    static final String INST =
            "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] | trim + ' [/INST]' }}{% else %}{{ ' ' + message['content'] | trim + ' ' + eos_token }}{% endif %}{% endfor %}";
    static final List<ChatTemplate.Message> MESSAGES = List.of(
            new ChatTemplate.Message("system", "Be brief."),
            new ChatTemplate.Message("user", "What is 2+3?"),
            new ChatTemplate.Message("assistant", " 5 "),
            new ChatTemplate.Message("user", "日本語で 🤖"));

    @Test
    void chatmlMatchesTransformers() {
        ChatTemplate t = new ChatTemplate(CHATML, "<s>", "</s>");
        assertEquals(
                "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n 5 <|im_end|>\n<|im_start|>user\n日本語で 🤖<|im_end|>\n<|im_start|>assistant\n",
                t.render(MESSAGES, true, null));
        assertEquals(
                "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n 5 <|im_end|>\n<|im_start|>user\n日本語で 🤖<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                t.render(MESSAGES, true, false));
        assertEquals(
                "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n 5 <|im_end|>\n<|im_start|>user\n日本語で 🤖<|im_end|>\n",
                t.render(MESSAGES, false, null));
    }

    @Test
    void llamaInstMatchesTransformers() {
        ChatTemplate t = new ChatTemplate(INST, "<s>", "</s>");
        assertEquals(
                "<s>[INST] What is 2+3? [/INST] 5 </s>[INST] 日本語で 🤖 [/INST]",
                t.render(MESSAGES.subList(1, 4), false, null));
    }

    @Test
    void qwen3TemplateIsRefusedClearly() {
        try (Tokenizer tok = TokenizerTest.open(TokenizerTest.QWEN3)) {
            ChatTemplate t = ChatTemplate.of(tok);
            EvalException e = assertThrows(EvalException.class, () -> t.render(MESSAGES, true, false));
            assertTrue(e.getMessage().startsWith("Jinjava cannot render this chat template"), e.getMessage());
            // the constructs, as located by hand in tokenizer_config.json's template (1-based template lines; checked
            // with Python)
            for (String part : new String[] {
                "line 18: extended slice [::",
                "line 20: Python str method startswith(...)",
                "line 20: Python str method endswith(...)",
                "line 35: Python str method split(...)",
                "line 35: Python str method lstrip(...)",
                "line 36: Python str method rstrip(...)",
                "line 41: Python str method strip(...)"
            }) {
                assertTrue(e.getMessage().contains(part), part + " missing in: " + e.getMessage());
            }
        }
    }

    @Test
    void javaSemanticsOfSplitAreRefusedNotRendered() {
        // Jinja2: 'a</think>'.split('</think>')[-1] == '' ; Jinjava would call Java's String.split and render "a"
        ChatTemplate t = new ChatTemplate("{{ 'a</think>'.split('</think>')[-1] }}", null, null);
        EvalException e = assertThrows(EvalException.class, () -> t.render(MESSAGES, false, null));
        assertTrue(e.getMessage().contains("line 1: Python str method split(...)"), e.getMessage());
        // namespace() with keyword arguments and attribute assignment do work in Jinjava 2.7.4
        ChatTemplate ns = new ChatTemplate(
                "{% set ns = namespace(a=true, i=3) %}{% set ns.a = false %}{{ ns.a }} {{ ns.i }}", null, null);
        assertEquals("false 3", ns.render(MESSAGES, false, null));
    }

    @Test
    void templateWithUnknownFunctionIsRefused() {
        ChatTemplate t = new ChatTemplate("{{ raise_exception('no system role') }}", null, null);
        assertThrows(EvalException.class, () -> t.render(MESSAGES, true, null));
    }

    @Test
    void tokenizerWithoutTemplateIsAnError() {
        try (Tokenizer tok = TokenizerTest.open(TokenizerTest.LLAMA)) {
            EvalException e = assertThrows(EvalException.class, () -> ChatTemplate.of(tok));
            assertTrue(e.getMessage().contains("no chat_template"), e.getMessage());
        }
    }
}
