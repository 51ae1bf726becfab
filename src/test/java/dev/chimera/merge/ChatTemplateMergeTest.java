package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.cli.CliRun;
import dev.chimera.eval.ChatTemplate;
import dev.chimera.eval.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code chat_template} in a merge config, in each form mergekit accepts, written as transformers saves one. */
class ChatTemplateMergeTest {
    @TempDir
    static Path dir;

    static final String INLINE = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}";

    @BeforeAll
    static void models() throws Exception {
        TinyLlama t = new TinyLlama();
        t.write(dir.resolve("base"), 1);
        t.write(dir.resolve("a"), 2);
        t.write(dir.resolve("b"), 3);
        t.write(dir.resolve("c"), 4);
        // a and b carry the same template, c another: auto takes the plurality
        for (String m : List.of("a", "b")) {
            Files.writeString(
                    dir.resolve(m + "/tokenizer_config.json"),
                    "{\"model_max_length\": 64, \"chat_template\": \"{{ messages[0]['content'] }} (ab)\"}");
        }
        Files.writeString(dir.resolve("c/chat_template.jinja"), "{{ messages[0]['content'] }} (c)\n");
    }

    static CliRun merge(String name, String chatTemplate) throws Exception {
        String yaml = "models:\n  - model: " + dir.resolve("a") + "\n  - model: " + dir.resolve("b") + "\n  - model: "
                + dir.resolve("c") + "\nmerge_method: linear\nparameters: {weight: 1.0}\n"
                + (chatTemplate == null
                        ? ""
                        : "chat_template: " + new ObjectMapper().writeValueAsString(chatTemplate) + "\n");
        Path cfg = dir.resolve(name + ".yml");
        Files.writeString(cfg, yaml);
        return CliRun.of("merge", cfg.toString(), dir.resolve("out-" + name).toString());
    }

    @Test
    void eachFormIsWrittenAsTheOutputsChatTemplate() throws Exception {
        // inline Jinja: as given
        assertEquals(0, merge("inline", INLINE).code());
        Path out = dir.resolve("out-inline");
        assertEquals(INLINE, Files.readString(out.resolve("chat_template.jinja")));
        assertFalse(
                Files.readString(out.resolve("tokenizer_config.json")).contains("chat_template"),
                "tokenizer_config.json keeps no template of its own");
        assertTrue(Files.readString(out.resolve("mergekit_config.yml")).contains("chat_template"));
        // and chimera eval's tokenizer reads it from there, as transformers does
        assertEquals(INLINE, Tokenizer.load(out).chatTemplate().orElseThrow());
        // auto: the template two of the three models carry
        assertEquals(0, merge("auto", "auto").code());
        assertEquals(
                "{{ messages[0]['content'] }} (ab)", Files.readString(dir.resolve("out-auto/chat_template.jinja")));
        // a bundled name
        assertEquals(0, merge("chatml", "chatml").code());
        String chatml = Files.readString(dir.resolve("out-chatml/chat_template.jinja"));
        assertEquals(
                "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
                new ChatTemplate(chatml, "<s>", "</s>")
                        .render(List.of(new ChatTemplate.Message("user", "hi")), true, null));
        // the other bundled names, each against the rendering of mergekit's file worked out by hand
        List<ChatTemplate.Message> turns = List.of(
                new ChatTemplate.Message("system", "Be brief."),
                new ChatTemplate.Message("user", "2+2?"),
                new ChatTemplate.Message("assistant", "4"),
                new ChatTemplate.Message("user", "and 3+3"));
        String[][] expected = {
            {
                "alpaca",
                "Be brief.\n\n### Instruction:\n2+2?\n\n### Response:\n4\n\n### Instruction:\nand 3+3### Response:\n"
            },
            {"mistral", "<s> [INST] Be brief.\n\n2+2? [/INST] 4</s> [INST] and 3+3 [/INST]"},
            {
                "exaone",
                "    [|system|]Be brief.\n        [|endofturn|]\n\n    [|user|]2+2?\n        \n\n"
                        + "    [|assistant|]4\n        [|endofturn|]\n\n    [|user|]and 3+3\n        \n\n"
                        + "    [|assistant|]\n"
            },
        };
        for (String[] e : expected) {
            assertEquals(0, merge(e[0], e[0]).code(), e[0]);
            String t = Files.readString(dir.resolve("out-" + e[0] + "/chat_template.jinja"));
            assertEquals(e[1], new ChatTemplate(t, "<s>", "</s>").render(turns, true, null), e[0]);
        }
        // none: the donor's tokenizer files as they are
        assertEquals(0, merge("none", null).code());
        assertTrue(
                Files.readString(dir.resolve("out-none/tokenizer_config.json")).contains("(ab)"));
    }

    @Test
    void unknownFormsAreRefusedByName() throws Exception {
        CliRun junk = merge("junk", "nonsense");
        assertEquals(1, junk.code());
        assertTrue(
                junk.err()
                        .contains(
                                "'nonsense' is neither auto, a bundled name (alpaca, chatml, exaone, llama3, mistral)"),
                junk.err());
        assertFalse(Files.exists(dir.resolve("out-junk/chat_template.jinja")));
    }

    /** A rendering, or the error's message (mistral refuses roles other than user and assistant). */
    private static String renderOrError(String template, List<ChatTemplate.Message> c, boolean prompt) {
        try {
            return new ChatTemplate(template, "<|begin_of_text|>", "</s>").render(c, prompt, null);
        } catch (RuntimeException e) {
            return "error"; // both refuse; the messages name their own line numbers
        }
    }

    /** The bundled templates render as mergekit's own files do (when its source is at CHIMERA_MERGEKIT_SRC). */
    @Test
    void bundledTemplatesRenderAsMergekitsFiles() throws Exception {
        String src = System.getenv("CHIMERA_MERGEKIT_SRC");
        Assumptions.assumeTrue(src != null, "CHIMERA_MERGEKIT_SRC is not set to a mergekit checkout");
        List<List<ChatTemplate.Message>> conversations = List.of(
                List.of(new ChatTemplate.Message("user", "Hello")),
                List.of(
                        new ChatTemplate.Message("user", "a"),
                        new ChatTemplate.Message("user_context", "ctx"),
                        new ChatTemplate.Message("assistant", "b ")),
                List.of(new ChatTemplate.Message("user", "q"), new ChatTemplate.Message("assistant", "r")),
                List.of(
                        new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", " 2+2? "),
                        new ChatTemplate.Message("assistant", "4"), new ChatTemplate.Message("user", "and 3+3")));
        for (String name : ChatTemplates.BUNDLED) {
            String theirs = Files.readString(Path.of(src, "mergekit/_data/chat_templates", name + ".jinja"));
            String ours = ChatTemplates.resolve(name, List.of());
            for (List<ChatTemplate.Message> c : conversations) {
                for (boolean prompt : new boolean[] {true, false}) {
                    assertEquals(
                            renderOrError(theirs, c, prompt),
                            renderOrError(ours, c, prompt),
                            name + " " + c + " " + prompt);
                }
            }
        }
    }
}
