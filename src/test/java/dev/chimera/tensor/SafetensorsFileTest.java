package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsEveryDtype(DType dtype) {
        long[] shape = {3, 5};
        byte[] data = SafetensorsTestFiles.bytes(15 * dtype.size(), dtype.ordinal());
        Path f = SafetensorsTestFiles.builder()
                .metadata("format", "pt")
                .add("t", dtype, shape, data)
                .add("u8", DType.U8, new long[] {3}, new byte[] {1, 2, 3})
                .write(dir.resolve("a.safetensors"));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            TensorInfo info = sf.info("t");
            assertEquals(dtype, info.dtype());
            assertArrayEquals(shape, info.shape());
            assertEquals(0, info.begin());
            assertEquals(data.length, info.byteSize());
            assertArrayEquals(data, sf.readBytes("t"));
            assertArrayEquals(new byte[] {1, 2, 3}, sf.readBytes("u8"));
            assertEquals(Map.of("format", "pt"), sf.metadata());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = DType.class,
            names = {"F64", "F32", "F16", "BF16"})
    void roundTripsFloatValuesThroughWriterAndReader(DType dtype) {
        float[] values = {0f, 1f, -2.5f, 0.125f, 1024f, -0.0f};
        TensorSpec spec = new TensorSpec("x", dtype, new long[] {2, 3});
        try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(dir, List.of(spec), 0)) {
            w.write("x", ByteBuffer.wrap(FloatCodec.encode(values, dtype)));
            w.finish();
        }
        try (SafetensorsFile sf = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertArrayEquals(values, FloatCodec.decode(sf.chunks("x"), dtype));
            assertEquals(Map.of("format", "pt"), sf.metadata());
        }
    }

    @Test
    void keepsHeaderOrderAndAcceptsOffsetsInAnyHeaderOrder() {
        // b's bytes come first in the data section although the header lists a first.
        String header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[3,5]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]}}   ";
        Path f = SafetensorsTestFiles.writeRaw(dir.resolve("o.safetensors"), header, new byte[] {1, 2, 3, 4, 5});
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(List.of("a", "b"), List.copyOf(sf.tensors().keySet()));
            assertArrayEquals(new byte[] {4, 5}, sf.readBytes("a"));
            assertArrayEquals(new byte[] {1, 2, 3}, sf.readBytes("b"));
            assertEquals(Map.of(), sf.metadata());
        }
    }

    @Test
    void acceptsWhitespaceAroundTheHeaderObjectLikeTheReference() {
        Path f = SafetensorsTestFiles.writeRaw(
                dir.resolve("ws.safetensors"),
                " \n{\"w\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}}\t\r\n ",
                new byte[] {9});
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertArrayEquals(new byte[] {9}, sf.readBytes("w"));
        }
    }

    @Test
    void handlesEmptyAndScalarTensorsAndEmptyFiles() {
        Path f = SafetensorsTestFiles.builder()
                .add("empty", DType.F32, new long[] {0, 4}, new byte[0])
                .addF32("scalar", new long[] {}, 7f)
                .write(dir.resolve("e.safetensors"));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(List.of(), sf.chunks("empty"));
            assertEquals(0, sf.info("empty").numel());
            assertEquals(1, sf.info("scalar").numel());
            assertEquals(7f, sf.chunks("scalar").get(0).getFloat(0));
        }
        Path none = SafetensorsTestFiles.builder().write(dir.resolve("none.safetensors"));
        try (SafetensorsFile sf = SafetensorsFile.open(none)) {
            assertTrue(sf.tensors().isEmpty());
        }
    }

    @Test
    void chunksAreReadOnlyLittleEndianIndependentViews() {
        Path f = SafetensorsTestFiles.builder()
                .addF32("w", new long[] {4}, 1f, 2f, 3f, 4f)
                .write(dir.resolve("w.safetensors"));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            ByteBuffer c = sf.chunks("w").get(0);
            assertTrue(c.isReadOnly());
            assertEquals(ByteOrder.LITTLE_ENDIAN, c.order());
            assertEquals(16, c.remaining());
            assertThrows(ReadOnlyBufferException.class, () -> c.putFloat(0, 9f));
            c.position(8);
            assertEquals(0, sf.chunks("w").get(0).position());
            assertThrows(
                    UnsupportedOperationException.class, () -> sf.chunks("w").clear());
        }
    }

    @Test
    void splitsOnRowBoundariesWhenARowFits() {
        // 10 rows of 3 F32 = 12 bytes per row; limit 40 -> 3 rows (36 bytes) per chunk.
        float[] values = SafetensorsTestFiles.ramp(30, 1f, 0f);
        Path f = SafetensorsTestFiles.builder()
                .addF32("w", new long[] {10, 3}, values)
                .write(dir.resolve("r.safetensors"));
        try (SafetensorsFile sf = SafetensorsFile.open(f, 40)) {
            List<ByteBuffer> chunks = sf.chunks("w");
            assertEquals(
                    List.of(36, 36, 36, 12),
                    chunks.stream().map(ByteBuffer::remaining).toList());
            assertArrayEquals(values, FloatCodec.decode(chunks, DType.F32));
        }
    }

    @Test
    void splitsOnElementBoundariesWhenARowIsTooLarge() {
        // Rows of 5 F64 = 40 bytes; limit 20 -> 16-byte chunks (2 elements).
        byte[] data = SafetensorsTestFiles.bytes(2 * 5 * 8, 3);
        Path f = SafetensorsTestFiles.builder()
                .add("w", DType.F64, new long[] {2, 5}, data)
                .write(dir.resolve("e.safetensors"));
        try (SafetensorsFile sf = SafetensorsFile.open(f, 20)) {
            List<ByteBuffer> chunks = sf.chunks("w");
            assertTrue(chunks.stream().allMatch(c -> c.remaining() <= 20 && c.remaining() % 8 == 0));
            assertEquals(5, chunks.size());
            assertArrayEquals(data, SafetensorsTestFiles.concat(chunks));
        }
    }

    /**
     * The multi-region path (files over 2 GiB) with tiny regions: many chunks, many of them
     * straddling a region boundary, must give back the exact bytes.
     */
    @Test
    void manySmallChunksAcrossManyMappedRegionsAreByteIdentical() {
        SafetensorsTestFiles.Builder b = SafetensorsTestFiles.builder().metadata("format", "pt");
        DType[] dtypes = DType.values();
        byte[][] data = new byte[dtypes.length][];
        for (int i = 0; i < dtypes.length; i++) {
            long[] shape = {7 + i, 3 + (i % 4)};
            data[i] = SafetensorsTestFiles.bytes((int) (shape[0] * shape[1]) * dtypes[i].size(), i);
            b.add("t" + i, dtypes[i], shape, data[i]);
        }
        Path f = b.write(dir.resolve("m.safetensors"));
        for (long region : new long[] {1, 7, 64, 100, 4096, SafetensorsFile.DEFAULT_REGION_BYTES}) {
            for (long chunk : new long[] {8, 13, 24, 100, 1 << 20}) {
                try (SafetensorsFile sf = SafetensorsFile.open(f, chunk, region)) {
                    for (int i = 0; i < dtypes.length; i++) {
                        List<ByteBuffer> chunks = sf.chunks("t" + i);
                        for (ByteBuffer c : chunks) {
                            assertTrue(c.remaining() <= chunk, "chunk over limit");
                            assertEquals(0, c.remaining() % dtypes[i].size(), "chunk splits an element");
                        }
                        assertArrayEquals(data[i], SafetensorsTestFiles.concat(chunks), "region " + region);
                    }
                }
            }
        }
    }

    @Test
    void chunkStepPrefersRowsThenElements() {
        TensorInfo t = new TensorInfo("t", DType.BF16, new long[] {1000, 4096}, 0, 1000L * 4096 * 2);
        assertEquals(8192L * 3, SafetensorsFile.chunkStep(t, 8192L * 3 + 5));
        assertEquals(100, SafetensorsFile.chunkStep(t, 101));
        TensorInfo huge = new TensorInfo("h", DType.F32, new long[] {2, 1L << 30}, 0, 8L << 30);
        assertEquals(
                SafetensorsFile.DEFAULT_MAX_CHUNK_BYTES,
                SafetensorsFile.chunkStep(huge, SafetensorsFile.DEFAULT_MAX_CHUNK_BYTES));
    }

    @Test
    void rejectsBadChunkLimitsAndUseAfterClose() {
        Path f = SafetensorsTestFiles.builder().addF32("w", new long[] {1}, 1f).write(dir.resolve("c.safetensors"));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f, 7));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f, Integer.MAX_VALUE));
        SafetensorsFile sf = SafetensorsFile.open(f);
        ByteBuffer before = sf.chunks("w").get(0);
        sf.close();
        assertEquals(1f, before.getFloat(0)); // views outlive the channel
        assertThrows(IllegalStateException.class, () -> sf.chunks("w"));
        assertTrue(sf.has("w"));
        assertFalse(sf.has("x"));
    }

    @Test
    void unknownTensorNamesFileAndTensor() {
        Path f = SafetensorsTestFiles.builder().addF32("w", new long[] {1}, 1f).write(dir.resolve("u.safetensors"));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> sf.chunks("nope"));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'nope'"));
        }
    }
}
