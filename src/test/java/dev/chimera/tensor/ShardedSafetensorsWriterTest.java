package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedSafetensorsWriterTest {
    @TempDir
    Path dir;

    private static TensorSpec f32(String name, long... shape) {
        return new TensorSpec(name, DType.F32, shape);
    }

    private static List<String> names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).toList();
    }

    @Test
    void plansShardsLikeMergekit() {
        // 40, 40, 40, 200, 8 bytes with a 100-byte limit:
        // [a b] (80; +c would be 120), [c] (+d would be 240), [d] (alone, over the limit), [e]
        List<TensorSpec> specs = List.of(f32("a", 10), f32("b", 10), f32("c", 10), f32("d", 50), f32("e", 2));
        List<ShardPlan.Shard> plan = ShardPlan.plan(specs, 100);
        assertEquals(
                List.of(List.of("a", "b"), List.of("c"), List.of("d"), List.of("e")),
                plan.stream().map(s -> names(s.tensors())).toList());
        assertEquals(
                List.of(
                        "model-00001-of-00004.safetensors",
                        "model-00002-of-00004.safetensors",
                        "model-00003-of-00004.safetensors",
                        "model-00004-of-00004.safetensors"),
                plan.stream().map(ShardPlan.Shard::fileName).toList());
        assertEquals(
                List.of(80L, 40L, 200L, 8L),
                plan.stream().map(ShardPlan.Shard::dataBytes).toList());
        // exactly at the limit stays in the shard
        assertEquals(1, ShardPlan.plan(List.of(f32("a", 10), f32("b", 15)), 100).size());
        // non-positive limit: never split
        assertEquals(1, ShardPlan.plan(specs, 0).size());
        assertEquals("model.safetensors", ShardPlan.plan(specs, 0).get(0).fileName());
        assertThrows(IllegalArgumentException.class, () -> ShardPlan.plan(List.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> ShardPlan.plan(List.of(f32("a", 1), f32("a", 2)), 1));
        assertThrows(IllegalArgumentException.class, () -> ShardPlan.plan(List.of(f32("__metadata__", 1)), 1));
    }

    @Test
    void writesShardsAndIndexReadableAsAModel() throws Exception {
        List<TensorSpec> specs = List.of(
                f32("a", 2, 5),
                f32("b", 10),
                f32("c", 3),
                new TensorSpec("d", DType.BF16, new long[] {4}),
                new TensorSpec("e", DType.I64, new long[] {0}));
        Map<String, byte[]> data = new HashMap<>();
        try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(dir, specs, 50)) {
            assertEquals(
                    List.of(
                            "model-00001-of-00003.safetensors",
                            "model-00002-of-00003.safetensors",
                            "model-00003-of-00003.safetensors"),
                    w.shardFiles());
            assertEquals(40 + 40 + 12 + 8, w.totalSize());
            assertEquals("model-00003-of-00003.safetensors", w.shardOf("c"));
            for (TensorSpec s : specs) {
                byte[] bytes =
                        SafetensorsTestFiles.bytes((int) s.byteSize(), s.name().hashCode());
                data.put(s.name(), bytes);
                w.write(s.name(), ByteBuffer.wrap(bytes));
            }
            w.finish();
        }
        JsonNode index = new ObjectMapper()
                .readTree(dir.resolve("model.safetensors.index.json").toFile());
        assertEquals(100, index.get("metadata").get("total_size").asLong());
        assertEquals(1, index.get("metadata").size());
        List<String> keys = new ArrayList<>();
        index.get("weight_map").fieldNames().forEachRemaining(keys::add);
        assertEquals(names(specs), keys);
        assertEquals(
                "model-00002-of-00003.safetensors",
                index.get("weight_map").get("b").asText());
        String text = Files.readString(dir.resolve("model.safetensors.index.json"));
        assertTrue(text.startsWith("{\n  \"metadata\": {\n    \"total_size\": 100\n  },\n"), text);
        try (SafetensorsModel m = SafetensorsModel.open(dir)) {
            assertEquals(names(specs), m.names());
            for (TensorSpec s : specs) {
                assertEquals(s, TensorSpec.of(m.info(s.name())));
                assertArrayEquals(data.get(s.name()), m.readBytes(s.name()));
            }
        }
    }

    @Test
    void singleShardIsModelSafetensorsWithoutIndex() throws Exception {
        try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(
                dir, List.of(f32("a", 3)), ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES)) {
            assertEquals(List.of("model.safetensors"), w.shardFiles());
            w.write("a", ByteBuffer.allocate(12));
            w.finish();
        }
        try (var files = Files.list(dir)) {
            assertEquals(
                    List.of("model.safetensors"),
                    files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void headerIsPaddedSoDataStartsOnAnEightByteBoundary() throws Exception {
        for (int len = 1; len <= 9; len++) {
            Path sub = Files.createDirectory(dir.resolve("d" + len));
            String name = "x".repeat(len);
            try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(sub, List.of(f32(name, 1)), 0)) {
                w.write(name, ByteBuffer.allocate(4));
                w.finish();
            }
            byte[] file = Files.readAllBytes(sub.resolve("model.safetensors"));
            long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, (8 + n) % 8);
            String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"},\"" + name + "\""));
            String padding = header.substring(header.lastIndexOf('}') + 1);
            assertTrue(padding.chars().allMatch(c -> c == ' ') && padding.length() < 8, padding);
        }
    }

    @Test
    void parallelOutOfOrderChunkedWrites() throws Exception {
        List<TensorSpec> specs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            specs.add(new TensorSpec("t" + i, DType.values()[i % 5], new long[] {i % 7, 3 + i % 5}));
        }
        Map<String, byte[]> data = new ConcurrentHashMap<>();
        List<TensorSpec> shuffled = new ArrayList<>(specs);
        Collections.shuffle(shuffled, new Random(1));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(dir, specs, 300)) {
            assertTrue(w.shardFiles().size() > 3);
            List<Future<?>> futures = new ArrayList<>();
            for (TensorSpec s : shuffled) {
                futures.add(pool.submit(() -> {
                    byte[] bytes = SafetensorsTestFiles.bytes(
                            (int) s.byteSize(), s.name().hashCode());
                    data.put(s.name(), bytes);
                    List<ByteBuffer> chunks = new ArrayList<>();
                    for (int off = 0; off < bytes.length; off += 5) {
                        chunks.add(ByteBuffer.wrap(bytes, off, Math.min(5, bytes.length - off)));
                    }
                    w.write(s.name(), chunks);
                    assertEquals(0, chunks.isEmpty() ? 0 : chunks.get(0).position()); // not consumed
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            w.finish();
        } finally {
            pool.shutdownNow();
        }
        try (SafetensorsModel m = SafetensorsModel.open(dir)) {
            assertEquals(names(specs), m.names());
            for (TensorSpec s : specs) {
                assertArrayEquals(data.get(s.name()), m.readBytes(s.name()), s.name());
            }
        }
    }

    @Test
    void misuseIsReported() {
        ShardedSafetensorsWriter w =
                new ShardedSafetensorsWriter(dir, List.of(f32("a", 2), f32("b", 1), f32("c", 1)), 0);
        IllegalArgumentException wrongSize =
                assertThrows(IllegalArgumentException.class, () -> w.write("a", ByteBuffer.allocate(4)));
        assertTrue(
                wrongSize.getMessage().contains("a") && wrongSize.getMessage().contains("8"));
        assertThrows(IllegalArgumentException.class, () -> w.write("zz", ByteBuffer.allocate(4)));
        w.write("a", ByteBuffer.allocate(8));
        assertThrows(IllegalStateException.class, () -> w.write("a", ByteBuffer.allocate(8)));
        IllegalStateException missing = assertThrows(IllegalStateException.class, w::finish);
        assertTrue(missing.getMessage().contains("b, c"), missing.getMessage());
        w.close();
        assertThrows(IllegalStateException.class, () -> w.write("b", ByteBuffer.allocate(4)));
        assertThrows(IllegalStateException.class, w::finish);
    }

    @Test
    void parseSizeMatchesMergekitParseKmb() {
        assertEquals(5_000_000_000L, ShardedSafetensorsWriter.parseSize("5B"));
        assertEquals(5_000_000_000L, ShardedSafetensorsWriter.parseSize("5b"));
        assertEquals(2_000_000_000L, ShardedSafetensorsWriter.parseSize("2G"));
        assertEquals(500_000_000L, ShardedSafetensorsWriter.parseSize("500M"));
        assertEquals(1000L, ShardedSafetensorsWriter.parseSize("1k"));
        assertEquals(1234L, ShardedSafetensorsWriter.parseSize("1234"));
        assertEquals(0L, ShardedSafetensorsWriter.parseSize("0"));
        assertEquals(ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES, ShardedSafetensorsWriter.parseSize("5B"));
        for (String bad :
                new String[] {"", "B", "1.5B", "5GB", "5T", "-1", "5 B", "0x10", "99999999999999999999", "9999999999B"
                }) {
            assertThrows(IllegalArgumentException.class, () -> ShardedSafetensorsWriter.parseSize(bad), bad);
        }
    }

    @Test
    void constructionFailureClosesWhatItOpened() {
        Path missingDir = dir.resolve("absent");
        SafetensorsException e = assertThrows(
                SafetensorsException.class, () -> new ShardedSafetensorsWriter(missingDir, List.of(f32("a", 1)), 0));
        assertTrue(e.getMessage().contains(missingDir.toString()));
        assertFalse(Files.exists(missingDir));
    }
}
