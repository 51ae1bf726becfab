package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models whose vocabularies differ: the base has t0..t15; model a has the same tokens in reverse order; model b
 * has t0..t11 and four tokens of its own, x0..x3. Expected rows are worked out here from mergekit's rules.
 */
class TokenizerSourceTest {
    @TempDir
    static Path dir;

    static Map<String, double[]> base;
    static Map<String, double[]> a;
    static Map<String, double[]> b;
    static final int H = 8;

    @BeforeAll
    static void models() throws IOException {
        TinyLlama t = new TinyLlama();
        base = t.write(dir.resolve("base"), 1);
        TinyLlama ta = new TinyLlama();
        ta.tokens = new ArrayList<>();
        for (int i = 15; i >= 0; i--) {
            ta.tokens.add("t" + i);
        }
        a = ta.write(dir.resolve("a"), 2);
        TinyLlama tb = new TinyLlama();
        tb.tokens = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tb.tokens.add("t" + i);
        }
        for (int i = 0; i < 4; i++) {
            tb.tokens.add("x" + i);
        }
        b = tb.write(dir.resolve("b"), 3);
    }

    static Map<String, double[]> merge(String name, String yaml) throws IOException {
        Path cfg = MergeCliTestSupport.config(dir, name, yaml);
        CliRun r = MergeCliTest.cli(
                "merge", cfg.toString(), dir.resolve("out-" + name).toString());
        assertEquals(0, r.code(), r.err());
        return TinyLlama.read(dir.resolve("out-" + name));
    }

    static double[] row(double[] m, int r) {
        double[] out = new double[H];
        System.arraycopy(m, r * H, out, 0, H);
        return out;
    }

    static void assertRow(double[] expected, double[] merged, int r, String what) {
        for (int c = 0; c < H; c++) {
            assertEquals(
                    expected[c],
                    merged[r * H + c],
                    1e-6 * Math.max(1, Math.abs(expected[c])),
                    what + " row " + r + " col " + c);
        }
    }

    @Test
    void baseVocabularyPermutesRowsAndFillsMissingFromTheBase() throws IOException {
        var out = merge("tokbase", """
                models:
                  - model: $D/a
                    parameters: {weight: 1.0}
                  - model: $D/b
                    parameters: {weight: 3.0}
                merge_method: task_arithmetic
                base_model: $D/base
                tokenizer_source: base
                """);
        String e = "model.embed_tokens.weight";
        assertEquals(16 * H, out.get(e).length);
        for (int r = 0; r < 16; r++) {
            double[] br = row(base.get(e), r);
            double[] ar = row(a.get(e), 15 - r); // a stores token t_r at row 15 - r
            // b has t_r only for r < 12; for t12..t15 its row defaults to the base's (present in base and a)
            double[] bRow = r < 12 ? row(b.get(e), r) : br;
            double[] exp = new double[H];
            for (int c = 0; c < H; c++) {
                exp[c] = br[c] + 1.0 * (ar[c] - br[c]) + 3.0 * (bRow[c] - br[c]);
            }
            assertRow(exp, out.get(e), r, "embed");
        }
    }

    /** mergekit's tokenizer block: source, and rows up to a multiple of pad_to_multiple_of (config too). */
    @Test
    void theTokenizerBlockPadsTheVocabularyWithZeroRows() throws IOException {
        String yaml = """
                models:
                  - model: $D/a
                    parameters: {weight: 1.0}
                  - model: $D/b
                    parameters: {weight: 3.0}
                merge_method: task_arithmetic
                base_model: $D/base
                tokenizer:
                  source: base
                  pad_to_multiple_of: 24
                """;
        var out = merge("tokpad", yaml);
        var same = merge(
                "tokbase2",
                yaml.replace("tokenizer:\n  source: base\n  pad_to_multiple_of: 24\n", "tokenizer_source: base\n"));
        String e = "model.embed_tokens.weight";
        assertEquals(24 * H, out.get(e).length, "16 tokens padded to 24 rows");
        for (int i = 0; i < 16 * H; i++) {
            assertEquals(same.get(e)[i], out.get(e)[i], 0.0, "rows of the 16 tokens as with tokenizer_source");
        }
        // each input's padding rows are its mean over its 16 rows (mergekit); task arithmetic is linear in its inputs,
        // so the merged padding rows are the mean of the merged rows
        for (int c = 0; c < H; c++) {
            double mean = 0;
            for (int r = 0; r < 16; r++) {
                mean += out.get(e)[r * H + c] / 16;
            }
            for (int r = 16; r < 24; r++) {
                assertEquals(mean, out.get(e)[r * H + c], 1e-6, "padding row " + r + " col " + c);
            }
        }
        JsonNode cfg = new ObjectMapper()
                .readTree(dir.resolve("out-tokpad/config.json").toFile());
        assertEquals(24, cfg.get("vocab_size").asInt());
        // both forms at once, and a token source naming a token the model lacks, are refused by name
        for (String[] bad : new String[][] {
            {"lacks", "tokenizer:\n  source: union\n  tokens:\n    x1: {source: $D/a}\n", "has no token 'x1'"},
            {
                "both",
                "tokenizer_source: base\ntokenizer:\n  source: base\n",
                "give either 'tokenizer_source' or a 'tokenizer' block"
            }
        }) {
            Path cfgFile = MergeCliTestSupport.config(
                    dir,
                    "bad-" + bad[0],
                    "models:\n  - model: $D/a\n  - model: $D/b\n" + "merge_method: linear\nparameters: {weight: 1.0}\n"
                            + bad[1]);
            CliRun r = MergeCliTest.cli(
                    "merge",
                    cfgFile.toString(),
                    dir.resolve("out-bad-" + bad[0]).toString());
            assertEquals(1, r.code(), bad[0]);
            assertTrue(r.err().contains(bad[2]), r.err());
        }
    }

    /** Per-token sources (mergekit's tokenizer.tokens): zero, a model's row of the token, a model's row of another. */
    @Test
    void perTokenSourcesSetTheDefaultRowsAndForceOverridesEveryInput() throws IOException {
        var out = merge("toktokens", """
                models:
                  - model: $D/a
                    parameters: {weight: 0.5}
                  - model: $D/b
                    parameters: {weight: 0.5}
                merge_method: linear
                tokenizer:
                  source: union
                  tokens:
                    t3: {source: {kind: zero}, force: true}
                    t14: {source: $D/a, force: true}
                    x2: {source: {kind: model_token, model: $D/a, token: t5}}
                """);
        var union = merge("tokunion2", """
                models:
                  - model: $D/a
                    parameters: {weight: 0.5}
                  - model: $D/b
                    parameters: {weight: 0.5}
                merge_method: linear
                tokenizer_source: union
                """);
        String e = "model.embed_tokens.weight";
        // the union vocabulary: a's order first (output row r is token t(15 - r)), then x0..x3 from b (rows 16..19)
        assertRow(new double[H], out.get(e), 12, "t3 forced to zero in both inputs");
        // t14: forced to a's row of t14 (a stores t_r at row 15 - r) in both inputs, so the linear merge is that row
        assertRow(row(a.get(e), 15 - 14), out.get(e), 1, "t14 forced to a's row");
        // x2 is only b's (its row 14): b keeps its own row (not forced), a's default becomes a's row of t5
        double[] x2 = new double[H];
        for (int c = 0; c < H; c++) {
            x2[c] = 0.5 * row(a.get(e), 15 - 5)[c] + 0.5 * row(b.get(e), 14)[c];
        }
        assertRow(x2, out.get(e), 18, "x2: b's own row with a's row of t5");
        // every other row as without the tokens entries
        for (int r = 0; r < 20; r++) {
            if (r != 12 && r != 1 && r != 18) {
                assertRow(row(union.get(e), r), out.get(e), r, "untouched");
            }
        }
        assertTrue(Files.readString(dir.resolve("out-toktokens/mergekit_config.yml"))
                .contains("model_token"));
    }

    @Test
    void unionAppendsNewTokensTakingTheOnlyModelThatHasThem() throws IOException {
        var out = merge("tokunion", """
                models:
                  - model: $D/a
                    parameters: {weight: 0.5}
                  - model: $D/b
                    parameters: {weight: 0.5}
                merge_method: linear
                tokenizer_source: union
                """);
        String e = "lm_head.weight";
        assertEquals(20 * H, out.get(e).length);
        for (int r = 16; r < 20; r++) {
            // x_{r-16} exists only in b (row 12 + r - 16): every input uses that row, so the average is that row
            assertRow(row(b.get(e), 12 + r - 16), out.get(e), r, "union token");
        }
        // without base_model the first model (a) is the tokenizer base: output row r is token t(15 - r)
        for (int r = 0; r < 16; r++) {
            double[] ar = row(a.get(e), r);
            int tok = 15 - r;
            double[] br = tok < 12 ? row(b.get(e), tok) : ar; // b lacks t12..t15: only a has them, a's row is used
            double[] exp = new double[H];
            for (int c = 0; c < H; c++) {
                exp[c] = 0.5 * ar[c] + 0.5 * br[c];
            }
            assertRow(exp, out.get(e), r, "shared token");
        }
        JsonNode cfg = new ObjectMapper()
                .readTree(dir.resolve("out-tokunion").resolve("config.json").toFile());
        assertEquals(20, cfg.get("vocab_size").asInt());
        JsonNode tok = new ObjectMapper()
                .readTree(dir.resolve("out-tokunion").resolve("tokenizer.json").toFile());
        List<String> added = new ArrayList<>();
        tok.get("added_tokens")
                .forEach(t ->
                        added.add(t.get("content").asText() + "=" + t.get("id").asInt()));
        assertEquals(List.of("x0=16", "x1=17", "x2=18", "x3=19"), added);
        assertTrue(out.containsKey("model.embed_tokens.weight"));
    }
}
