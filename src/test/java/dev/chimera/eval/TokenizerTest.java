package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real tokenizers from ../shared/data (skipped when absent). Expected ids were computed once with the Python
 * reference in /work/oracle/venv: {@code tokenizers.Tokenizer.from_file(".../tokenizer.json").encode(s,
 * add_special_tokens=False|True).ids} (tokenizers 0.23.2, the library DJL wraps). For Qwen3 transformers 5.18's
 * {@code AutoTokenizer.encode} gives the same ids; for the Llama-style tokenizer it differs only on the text with
 * leading spaces (transformers' legacy Llama handling: [28705, 5374, ...] instead of [259, 5374, ...]), so tokenizer.json
 * alone (what DJL and this class read) is the reference here.
 */
class TokenizerTest {
    static final Path QWEN3 = Path.of("../shared/data/tokenizers/qwen3");
    static final Path LLAMA = Path.of("../shared/data/tokenizers/llama2-style-32k");
    static final String[] TEXTS = {"Hello, world!", "日本語のテキストです。", "Emoji 🤖🎉 test", "  leading spaces and\nnewline"};

    static Tokenizer open(Path folder) {
        assumeTrue(Files.isRegularFile(folder.resolve("tokenizer.json")), "shared data absent: " + folder);
        return Tokenizer.load(folder);
    }

    @Test
    void qwen3IdsMatchReference() {
        try (Tokenizer t = open(QWEN3)) {
            int[][] expected = {
                {9707, 11, 1879, 0},
                {101059, 102819, 15767, 56833, 61803, 70534, 37541, 1773},
                {92731, 11162, 97, 244, 144841, 1273},
                {220, 6388, 12621, 323, 198, 89202}
            };
            for (int i = 0; i < TEXTS.length; i++) {
                assertArrayEquals(expected[i], t.encode(TEXTS[i]), TEXTS[i]);
                assertArrayEquals(expected[i], t.encodeWithSpecial(TEXTS[i]), "Qwen adds no BOS: " + TEXTS[i]);
            }
            assertEquals(Optional.of(151645), t.eosId());
            assertEquals(Optional.of("<|im_end|>"), t.eosToken());
            assertEquals(Optional.of(151643), t.padId());
            assertEquals(Optional.empty(), t.bosId());
            assertFalse(t.addBosToken());
            assertEquals(Optional.of(151644), t.tokenId("<|im_start|>"));
            assertTrue(t.chatTemplate().isPresent());
            assertArrayEquals(new int[] {151644, 872, 198}, t.encode("<|im_start|>user\n"));
        }
    }

    @Test
    void llamaStyleIdsMatchReference() {
        try (Tokenizer t = open(LLAMA)) {
            int[][] expected = {
                {22557, 28725, 1526, 28808},
                {28705, 29142, 29119, 30321, 28993, 29610, 29753, 29109, 29123, 29230, 29126, 28944},
                {2929, 27813, 28705, 243, 162, 167, 153, 31862, 1369},
                {259, 5374, 10599, 304, 13, 1095, 1081}
            };
            for (int i = 0; i < TEXTS.length; i++) {
                assertArrayEquals(expected[i], t.encode(TEXTS[i]), TEXTS[i]);
                int[] withBos = t.encodeWithSpecial(TEXTS[i]);
                assertEquals(1, withBos[0], "BOS first");
                assertArrayEquals(expected[i], Arrays.copyOfRange(withBos, 1, withBos.length));
            }
            assertEquals(Optional.of(1), t.bosId());
            assertEquals(Optional.of(2), t.eosId());
            assertEquals(Optional.empty(), t.padId());
            assertTrue(t.addBosToken());
            assertEquals(Optional.of("<s>"), t.bosToken());
            assertTrue(t.chatTemplate().isEmpty());
        }
    }

    @Test
    void roundTrips() {
        for (Path folder : new Path[] {QWEN3, LLAMA}) {
            try (Tokenizer t = open(folder)) {
                for (String s : TEXTS) {
                    assertEquals(s, t.decode(t.encode(s)), folder + ": " + s);
                    assertEquals(s, t.decodeSkippingSpecial(t.encodeWithSpecial(s)), folder + ": " + s);
                }
            }
        }
    }

    @Test
    void missingTokenizerJsonNamesFolder(@TempDir Path dir) {
        EvalException e = assertThrows(EvalException.class, () -> Tokenizer.load(dir));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
    }
}
