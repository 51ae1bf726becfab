package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsModelTest {
    @TempDir
    Path dir;

    private static final String INDEX = "{\"metadata\": {\"total_size\": 28},\n \"weight_map\": {"
            + "\"b\": \"model-00002-of-00002.safetensors\","
            + "\"a\": \"model-00001-of-00002.safetensors\","
            + "\"c\": \"model-00002-of-00002.safetensors\"}}";

    private void shards() throws Exception {
        SafetensorsTestFiles.builder()
                .addF32("a", new long[] {2}, 1, 2)
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        SafetensorsTestFiles.builder()
                .addF32("b", new long[] {1, 3}, 3, 4, 5)
                .addF32("c", new long[] {2}, 6, 7)
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), INDEX);
    }

    private SafetensorsException rejected(String... fragments) {
        SafetensorsException e = assertThrows(
                SafetensorsException.class, () -> SafetensorsModel.open(dir).close());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected [" + f + "] in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void readsShardsThroughTheIndex() throws Exception {
        shards();
        try (SafetensorsModel m = SafetensorsModel.open(dir, 8)) {
            assertEquals(List.of("b", "a", "c"), m.names());
            assertEquals(dir, m.dir());
            assertTrue(m.has("c"));
            assertFalse(m.has("d"));
            assertArrayEquals(new long[] {1, 3}, m.info("b").shape());
            assertArrayEquals(new float[] {3, 4, 5}, FloatCodec.decode(m.chunks("b"), DType.F32));
            assertEquals(2, m.chunks("b").size()); // 12 bytes at 8 per chunk
            assertArrayEquals(new float[] {6, 7}, FloatCodec.decode(m.chunks("c"), DType.F32));
            assertEquals(dir.resolve("model-00001-of-00002.safetensors"), m.fileOf("a"));
            assertEquals(2, m.files().size());
            assertThrows(SafetensorsException.class, () -> m.info("d"));
        }
    }

    @Test
    void indexTakesPrecedenceOverASingleFile() throws Exception {
        shards();
        SafetensorsTestFiles.builder().addF32("z", new long[] {1}, 0).write(dir.resolve("model.safetensors"));
        try (SafetensorsModel m = SafetensorsModel.open(dir)) {
            assertEquals(List.of("b", "a", "c"), m.names());
        }
    }

    @Test
    void readsSingleFileAndLoneOtherName() throws Exception {
        SafetensorsTestFiles.builder().addF32("x", new long[] {1}, 1).write(dir.resolve("consolidated.safetensors"));
        try (SafetensorsModel m = SafetensorsModel.open(dir)) {
            assertEquals(List.of("x"), m.names());
        }
        SafetensorsTestFiles.builder().addF32("y", new long[] {1}, 1).write(dir.resolve("model.safetensors"));
        try (SafetensorsModel m = SafetensorsModel.open(dir)) {
            assertEquals(List.of("y"), m.names());
        }
    }

    @Test
    void severalFilesWithoutIndexAreRefused() throws Exception {
        SafetensorsTestFiles.builder().write(dir.resolve("a.safetensors"));
        SafetensorsTestFiles.builder().write(dir.resolve("b.safetensors"));
        rejected(dir.toString(), "a.safetensors, b.safetensors", "model.safetensors.index.json");
    }

    @Test
    void missingFolderIsNamed() {
        Path missing = dir.resolve("no-such-model");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsModel.open(missing));
        assertTrue(e.getMessage().contains(missing.toString()));
        assertTrue(e.getMessage().contains("not found"));
    }

    @Test
    void emptyFolderIsExplained() {
        rejected(dir.toString(), "no model.safetensors");
    }

    @Test
    void pickleCheckpointsAreRefusedWithConversionAdvice() throws Exception {
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        Files.write(dir.resolve("training_args.pt"), new byte[] {1});
        rejected("pytorch_model.bin", "training_args.pt", "refused for safety", "save_file", "safetensors");
    }

    @Test
    void shardListedButMissingIsNamed() throws Exception {
        shards();
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        rejected("model-00002-of-00002.safetensors", "does not exist");
    }

    @Test
    void tensorMappedToAShardThatLacksItIsNamed() throws Exception {
        shards();
        Files.writeString(
                dir.resolve("model.safetensors.index.json"),
                INDEX.replace("\"a\": \"model-00001", "\"a\": \"model-00002"));
        rejected("'a'", "model-00002-of-00002.safetensors", "does not contain");
    }

    @Test
    void tensorInTwoShardsIsRefused() throws Exception {
        shards();
        SafetensorsTestFiles.builder()
                .addF32("a", new long[] {2}, 1, 2)
                .addF32("c", new long[] {2}, 1, 2)
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        rejected("'c'", "two shards");
    }

    @Test
    void unlistedTensorInAShardIsRefused() throws Exception {
        shards();
        SafetensorsTestFiles.builder()
                .addF32("a", new long[] {2}, 1, 2)
                .addF32("extra", new long[] {2}, 1, 2)
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        rejected("'extra'", "not listed");
    }

    @Test
    void badIndexesAreRefused() throws Exception {
        shards();
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"metadata\": {}}");
        rejected(index.toString(), "weight_map");
        Files.writeString(index, "{\"weight_map\": {\"a\": \"../model-00001-of-00002.safetensors\"}}");
        rejected("'a'", "file name in the model folder");
        Files.writeString(index, "{\"weight_map\": {\"a\": 5}}");
        rejected("'a'");
        Files.writeString(index, "{\"weight_map\": ");
        rejected(index.toString(), "cannot read shard index");
        Files.writeString(index, "{\"weight_map\": {}}");
        rejected("empty");
    }

    @Test
    void corruptShardNamesTheShard() throws Exception {
        shards();
        Path shard = dir.resolve("model-00002-of-00002.safetensors");
        Files.write(shard, new byte[] {1, 2, 3});
        rejected(shard.toString(), "too small");
    }
}
