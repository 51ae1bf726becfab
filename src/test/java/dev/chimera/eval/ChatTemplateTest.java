package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Chat templates render as transformers' apply_chat_template does, byte for byte. The expected strings of
 * chat-templates/expected.json were written by chat-templates/expected.py with transformers 5.18 / jinja2 3.1.6:
 * 12 real templates (Llama 3 / 3.1 / 3.2, Mistral v0.2 and Nemo, Gemma 2 and 3, Qwen2.5, Phi-3.5, DeepSeek-R1
 * distill, Llama 2 chat, Zephyr; sources in SOURCES.md) and the Qwen3 tokenizer of ../shared/data, on 10 conversations
 * (system, multi-turn, with and without the generation prompt, reasoning in the history, enable_thinking on and off,
 * Unicode, tools and a tool call). A template that raised there (Gemma 2 refuses a system message, ...) must raise
 * here with the same message. When CHIMERA_TRANSFORMERS_PYTHON names a Python with transformers, the script runs
 * again live and its output is compared too.
 */
class ChatTemplateTest {
    static final Path DIR = Path.of("src/test/resources/dev/chimera/eval/chat-templates");
    static final ObjectMapper JSON = new ObjectMapper();

    static final String CHATML =
            "{%- for message in messages %}\n    {{- '<|im_start|>' + message['role'] + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n    {%- if enable_thinking is defined and enable_thinking is false %}\n        {{- '<think>\\n\\n</think>\\n\\n' }}\n    {%- endif %}\n{%- endif %}";
    static final List<ChatTemplate.Message> MESSAGES = List.of(
            new ChatTemplate.Message("system", "Be brief."),
            new ChatTemplate.Message("user", "What is 2+3?"),
            new ChatTemplate.Message("assistant", " 5 "),
            new ChatTemplate.Message("user", "日本語で 🤖"));

    static JsonNode expected(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    static Stream<Arguments> stored() throws IOException {
        return cases(expected(DIR.resolve("expected.json")));
    }

    static Stream<Arguments> cases(JsonNode root) {
        List<Arguments> out = new ArrayList<>();
        root.get("templates")
                .fields()
                .forEachRemaining(t -> t.getValue()
                        .fields()
                        .forEachRemaining(c -> out.add(Arguments.of(t.getKey(), c.getKey(), c.getValue(), root))));
        return out.stream();
    }

    /** The template and its special tokens: a file of this folder, or the Qwen3 tokenizer of the shared data. */
    static ChatTemplate template(String name, JsonNode root) throws IOException {
        if (name.equals("qwen3")) {
            try (Tokenizer tok = TokenizerTest.open(TokenizerTest.QWEN3)) {
                return ChatTemplate.of(tok);
            }
        }
        String source = Files.readString(DIR.resolve(name + ".jinja"), StandardCharsets.UTF_8);
        @SuppressWarnings("unchecked")
        Map<String, String> tokens = JSON.convertValue(root.get("tokens").get(name), Map.class);
        return new ChatTemplate(source, tokens);
    }

    @SuppressWarnings("unchecked")
    static void check(String name, String conversation, JsonNode want, JsonNode root) throws IOException {
        JsonNode conv = root.get("conversations").get(conversation);
        List<Map<String, Object>> messages = JSON.convertValue(conv.get("messages"), List.class);
        Map<String, Object> kwargs = JSON.convertValue(conv.get("kwargs"), Map.class);
        kwargs.put("date_string", "06 Dec 2026");
        boolean prompt = conv.get("add_generation_prompt").asBoolean();
        ChatTemplate t = template(name, root);
        if (want.has("error")) {
            EvalException e = assertThrows(EvalException.class, () -> t.render(messages, prompt, kwargs));
            String message = want.get("error").asText().replaceFirst("^TemplateError: ", "");
            assertTrue(e.getMessage().contains(message), e.getMessage() + " should contain " + message);
        } else {
            assertEquals(want.get("text").asText(), t.render(messages, prompt, kwargs));
        }
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("stored")
    void rendersAsTransformers(String name, String conversation, JsonNode want, JsonNode root) throws IOException {
        check(name, conversation, want, root);
    }

    @Test
    void everyTemplateFileHasExpectedStrings() throws IOException {
        JsonNode templates = expected(DIR.resolve("expected.json")).get("templates");
        try (Stream<Path> files = Files.list(DIR)) {
            files.filter(p -> p.toString().endsWith(".jinja")).forEach(p -> {
                String name = p.getFileName().toString().replace(".jinja", "");
                assertTrue(templates.has(name), name + " has no expected renderings");
                assertEquals(10, templates.get(name).size(), name);
            });
        }
        assertTrue(templates.has("qwen3"));
    }

    /** The live oracle: expected.py run now with transformers, every rendering compared. */
    @Test
    void agreesWithTransformersLive(@TempDir Path tmp) throws Exception {
        String python = System.getenv("CHIMERA_TRANSFORMERS_PYTHON");
        assumeTrue(python != null && !python.isBlank(), "CHIMERA_TRANSFORMERS_PYTHON not set");
        Path out = tmp.resolve("live.json");
        Process p = new ProcessBuilder(
                        python,
                        DIR.resolve("expected.py").toString(),
                        Path.of("../shared/data").toAbsolutePath().toString())
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "expected.py timed out");
        assertEquals(0, p.exitValue(), "expected.py failed");
        JsonNode live = expected(out);
        List<Arguments> all = cases(live).toList();
        assertTrue(all.size() >= 120, "only " + all.size() + " renderings");
        for (Arguments a : all) {
            Object[] x = a.get();
            check((String) x[0], (String) x[1], (JsonNode) x[2], live);
        }
    }

    @Test
    void chatmlWithAndWithoutThinking() {
        // expected strings from transformers' apply_chat_template(messages, chat_template=CHATML, tokenize=False, ...)
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
    void pythonSplitSemantics() {
        // Jinja2: 'a</think>'.split('</think>')[-1] == '' (Java's String.split would drop the trailing empty string)
        ChatTemplate t = new ChatTemplate("[{{ 'a</think>'.split('</think>')[-1] }}]", null, null);
        assertEquals("[]", t.render(MESSAGES, false, null));
    }

    @Test
    void raisedErrorsAndSyntaxErrorsAreNamed() {
        ChatTemplate t = new ChatTemplate("{{ raise_exception('no system role') }}", null, null);
        EvalException e = assertThrows(EvalException.class, () -> t.render(MESSAGES, true, null));
        assertEquals("the chat template refused this conversation: no system role", e.getMessage());
        EvalException syntax = assertThrows(EvalException.class, () -> new ChatTemplate("a\n{% if %}", null, null));
        assertTrue(syntax.getMessage().contains("line 2"), syntax.getMessage());
    }

    @Test
    void tokenizerWithoutTemplateIsAnError() {
        try (Tokenizer tok = TokenizerTest.open(TokenizerTest.LLAMA)) {
            EvalException e = assertThrows(EvalException.class, () -> ChatTemplate.of(tok));
            assertTrue(e.getMessage().contains("no chat_template"), e.getMessage());
        }
    }
}
