package dev.chimera.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cli.CliRun;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input gives exit code 1, a message naming the culprit, and no output folder (nor temp folder). */
class MergeBadInputTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void models() throws IOException {
        TinyLlama t = new TinyLlama();
        t.write(dir.resolve("base"), 1);
        t.write(dir.resolve("a"), 2);
        t.write(dir.resolve("b"), 3);
        TinyLlama wide = new TinyLlama();
        wide.intermediate = 16;
        wide.write(dir.resolve("wide"), 4);
        TinyLlama deep = new TinyLlama();
        deep.layers = 4;
        deep.write(dir.resolve("deep"), 5);
        t.write(dir.resolve("corrupt"), 6);
        try (RandomAccessFile f =
                new RandomAccessFile(dir.resolve("corrupt/model.safetensors").toFile(), "rw")) {
            f.setLength(f.length() - 10); // truncated: the last tensor's range now runs past the end
        }
        t.write(dir.resolve("holey"), 7);
        // rewrite holey without one tensor
        TinyLlama few = new TinyLlama() {
            @Override
            public Map<String, long[]> shapes() {
                var s = super.shapes();
                s.remove("model.layers.1.mlp.down_proj.weight");
                return s;
            }
        };
        deleteTree(dir.resolve("holey"));
        few.write(dir.resolve("holey"), 7);
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    static void fails(String name, String yaml, String expectInMessage, String... extra) throws IOException {
        Path cfg = MergeCliTestSupport.config(dir, name, yaml);
        Path out = dir.resolve("out-" + name);
        String[] args = new String[3 + extra.length];
        args[0] = "merge";
        args[1] = cfg.toString();
        args[2] = out.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        CliRun r = MergeCliTest.cli(args);
        assertEquals(1, r.code(), "exit code; stderr: " + r.err());
        assertTrue(r.err().contains(expectInMessage), "stderr should name '" + expectInMessage + "': " + r.err());
        assertFalse(Files.exists(out), "no output folder");
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(
                    s.noneMatch(p -> p.getFileName().toString().contains("out-" + name) && !p.equals(out)),
                    "no temp folder left");
        }
    }

    static final String TWO = """
            models:
              - model: $D/a
                parameters: {weight: 0.5}
              - model: $D/%s
                parameters: {weight: 0.5}
            merge_method: linear
            """;

    @Test
    void missingModelFolder() throws IOException {
        fails("missing", TWO.formatted("nowhere"), "nowhere");
    }

    @Test
    void corruptSafetensors() throws IOException {
        fails("corrupt", TWO.formatted("corrupt"), "corrupt");
    }

    @Test
    void tensorMissingInOneModel() throws IOException {
        fails("holey", TWO.formatted("holey"), "model.layers.1.mlp.down_proj.weight");
    }

    @Test
    void shapeMismatchOutsideEmbeddings() throws IOException {
        fails("wide", TWO.formatted("wide"), "mlp");
    }

    @Test
    void unknownMergeMethod() throws IOException {
        fails("method", TWO.formatted("b").replace("linear", "franken_magic"), "franken_magic");
    }

    @Test
    void densityOutOfRange() throws IOException {
        fails("density", """
                models:
                  - model: $D/a
                    parameters: {weight: 0.5, density: 1.2}
                merge_method: ties
                base_model: $D/base
                """, "density 1.2");
    }

    @Test
    void dellaEpsilonOutOfRange() throws IOException {
        fails("della", """
                models:
                  - model: $D/a
                    parameters: {weight: 0.5, density: 0.9, epsilon: 0.2}
                merge_method: della
                base_model: $D/base
                """, "epsilon 0.2");
    }

    @Test
    void slerpWithThreeModels() throws IOException {
        fails("slerp3", """
                models:
                  - model: $D/base
                  - model: $D/a
                  - model: $D/b
                merge_method: slerp
                base_model: $D/base
                parameters: {t: 0.5}
                """, "exactly 2 models");
    }

    @Test
    void slicesOfDifferentLength() throws IOException {
        fails("slices", """
                slices:
                  - sources:
                      - model: $D/a
                        layer_range: [0, 2]
                      - model: $D/b
                        layer_range: [0, 3]
                merge_method: linear
                parameters: {weight: 1.0}
                """, "same number of layers");
    }

    @Test
    void modelsWithDifferentDepth() throws IOException {
        fails("deep", TWO.formatted("deep"), "deep");
    }

    @Test
    void unknownDtype() throws IOException {
        fails("dtype", TWO.formatted("b") + "dtype: float13\n", "float13");
    }

    @Test
    void missingRequiredParameter() throws IOException {
        fails("noweight", """
                models:
                  - model: $D/a
                  - model: $D/b
                merge_method: linear
                """, "weight");
    }

    @Test
    void outputExistsWithoutForce() throws IOException {
        Path cfg = MergeCliTestSupport.config(dir, "exists", TWO.formatted("b"));
        Path out = dir.resolve("out-exists");
        Files.createDirectories(out);
        Files.writeString(out.resolve("config.json"), "{}");
        Files.writeString(out.resolve("keep.txt"), "precious");
        CliRun r = MergeCliTest.cli("merge", cfg.toString(), out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--force"), r.err());
        assertEquals("precious", Files.readString(out.resolve("keep.txt")));
        CliRun forced = MergeCliTest.cli("merge", cfg.toString(), out.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertFalse(Files.exists(out.resolve("keep.txt")));
        assertTrue(Files.exists(out.resolve("model.safetensors")));
        // a folder that is not a model folder is never replaced, even with --force
        Path precious = dir.resolve("precious");
        Files.createDirectories(precious);
        Files.writeString(precious.resolve("notes.txt"), "mine");
        CliRun refused = MergeCliTest.cli("merge", cfg.toString(), precious.toString(), "--force");
        assertEquals(1, refused.code());
        assertEquals("mine", Files.readString(precious.resolve("notes.txt")));
    }

    @Test
    void malformedYaml() throws IOException {
        fails("yaml", "models: [\n  - model: a\n", "yaml");
    }

    @Test
    void pickleCheckpointsAreRefused() throws IOException {
        Path p = dir.resolve("pickled");
        Files.createDirectories(p);
        Files.copy(dir.resolve("a/config.json"), p.resolve("config.json"));
        Files.write(p.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        fails("pickle", TWO.formatted("pickled"), "pickle");
    }
}
