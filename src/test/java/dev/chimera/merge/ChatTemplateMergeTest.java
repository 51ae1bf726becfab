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
        // none: the donor's tokenizer files as they are
        assertEquals(0, merge("none", null).code());
        assertTrue(
                Files.readString(dir.resolve("out-none/tokenizer_config.json")).contains("(ab)"));
    }

    @Test
    void unknownFormsAreRefusedByName() throws Exception {
        CliRun mistral = merge("mistral", "mistral");
        assertEquals(1, mistral.code());
        assertTrue(
                mistral.err().contains("chat_template: 'mistral'")
                        && mistral.err().contains("inline"),
                mistral.err());
        CliRun junk = merge("junk", "nonsense");
        assertEquals(1, junk.code());
        assertTrue(junk.err().contains("'nonsense' is neither auto, a bundled name"), junk.err());
        assertFalse(Files.exists(dir.resolve("out-junk/chat_template.jinja")));
    }

    /** The bundled templates render as mergekit's own files do (when its source is at CHIMERA_MERGEKIT_SRC). */
    @Test
    void bundledTemplatesRenderAsMergekitsFiles() throws Exception {
        String src = System.getenv("CHIMERA_MERGEKIT_SRC");
        Assumptions.assumeTrue(src != null, "CHIMERA_MERGEKIT_SRC is not set to a mergekit checkout");
        List<List<ChatTemplate.Message>> conversations = List.of(
                List.of(new ChatTemplate.Message("user", "Hello")),
                List.of(
                        new ChatTemplate.Message("system", "Be brief."), new ChatTemplate.Message("user", " 2+2? "),
                        new ChatTemplate.Message("assistant", "4"), new ChatTemplate.Message("user", "and 3+3")));
        for (String name : List.of("chatml", "llama3")) {
            String theirs = Files.readString(Path.of(src, "mergekit/_data/chat_templates", name + ".jinja"));
            String ours = ChatTemplates.resolve(name, List.of());
            for (List<ChatTemplate.Message> c : conversations) {
                for (boolean prompt : new boolean[] {true, false}) {
                    assertEquals(
                            new ChatTemplate(theirs, "<|begin_of_text|>", "</s>").render(c, prompt, null),
                            new ChatTemplate(ours, "<|begin_of_text|>", "</s>").render(c, prompt, null),
                            name + " " + c + " " + prompt);
                }
            }
        }
    }
}
