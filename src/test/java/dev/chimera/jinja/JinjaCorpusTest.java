package dev.chimera.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of corpus.py rendered here equals what jinja2 3.1 rendered (cases.json, written by corpus.py with
 * jinja2 and transformers' own chat-template environment), and every case jinja2 refused is refused here.
 */
class JinjaCorpusTest {
    static final Map<String, Jinja> ENVS =
            Map.of("default", Jinja.builder().build(), "transformers", Jinja.transformers(), "lmeval", Jinja.lmEval());

    static Stream<Arguments> cases() throws Exception {
        JsonNode all;
        try (InputStream in = JinjaCorpusTest.class.getResourceAsStream("cases.json")) {
            all = new ObjectMapper().readTree(in);
        }
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : all) {
            out.add(Arguments.of(c.get("env").asText(), c.get("template").asText(), c.get("context"), c));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}: {1}")
    @MethodSource("cases")
    void rendersAsJinja2(String env, String template, JsonNode context, JsonNode c) {
        @SuppressWarnings("unchecked")
        Map<String, Object> ctx = new ObjectMapper().convertValue(context, Map.class);
        if (c.has("error")) {
            assertThrows(
                    JinjaException.class,
                    () -> ENVS.get(env).compile(template).render(ctx),
                    c.get("error").asText());
        } else {
            assertEquals(
                    c.get("expected").asText(), ENVS.get(env).compile(template).render(ctx));
        }
    }
}
