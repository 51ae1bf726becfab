package dev.chimera.tensor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;

/** JSON output laid out like Python's {@code json.dumps(obj, indent=2)}, as Hugging Face writes. */
final class Json {
    private Json() {}

    private static final DefaultPrettyPrinter PYTHON_INDENT_2 = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    /** Pretty-prints a tree with two-space indents and {@code ": "} separators, no final newline. */
    static String pretty(ObjectMapper mapper, JsonNode node) {
        try {
            StringWriter out = new StringWriter();
            try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
                g.setPrettyPrinter(PYTHON_INDENT_2.createInstance()); // printers keep nesting state
                mapper.writeTree(g, node);
            }
            return out.toString();
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise JSON tree", e); // no I/O: a StringWriter
        }
    }
}
