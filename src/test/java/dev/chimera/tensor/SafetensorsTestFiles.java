package dev.chimera.tensor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes small safetensors files for tests, independently of {@link ShardedSafetensorsWriter} so
 * the reader and the writer check each other. Also writes deliberately broken files.
 *
 * <pre>{@code
 * Path f = SafetensorsTestFiles.builder()
 *     .addF32("w", new long[] {2, 3}, 1, 2, 3, 4, 5, 6)
 *     .write(dir.resolve("model.safetensors"));
 * }</pre>
 */
public final class SafetensorsTestFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SafetensorsTestFiles() {}

    public static Builder builder() {
        return new Builder();
    }

    /** Collects tensors and writes them in insertion order with contiguous offsets. */
    public static final class Builder {
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final List<Object[]> tensors = new ArrayList<>();

        /** A tensor with raw little-endian bytes. */
        public Builder add(String name, DType dtype, long[] shape, byte[] data) {
            tensors.add(new Object[] {name, dtype, shape.clone(), data.clone()});
            return this;
        }

        /** A float tensor stored as {@code dtype} (F64, F32, F16 or BF16). */
        public Builder addFloats(String name, DType dtype, long[] shape, float... values) {
            return add(name, dtype, shape, FloatCodec.encode(values, dtype));
        }

        /** An F32 tensor. */
        public Builder addF32(String name, long[] shape, float... values) {
            return addFloats(name, DType.F32, shape, values);
        }

        public Builder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        /** The header JSON (unpadded). */
        public String headerJson() {
            ObjectNode root = MAPPER.createObjectNode();
            if (!metadata.isEmpty()) {
                ObjectNode m = root.putObject("__metadata__");
                metadata.forEach(m::put);
            }
            long offset = 0;
            for (Object[] t : tensors) {
                ObjectNode e = root.putObject((String) t[0]);
                e.put("dtype", ((DType) t[1]).safetensorsName());
                ArrayNode shape = e.putArray("shape");
                for (long d : (long[]) t[2]) {
                    shape.add(d);
                }
                long end = offset + ((byte[]) t[3]).length;
                e.putArray("data_offsets").add(offset).add(end);
                offset = end;
            }
            return root.toString();
        }

        /** The concatenated tensor data. */
        public byte[] data() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Object[] t : tensors) {
                out.writeBytes((byte[]) t[3]);
            }
            return out.toByteArray();
        }

        /** The whole file, header padded with spaces to 8 bytes. */
        public byte[] toBytes() {
            return file(pad(headerJson()), data());
        }

        public Path write(Path file) {
            return writeBytes(file, toBytes());
        }
    }

    /** Pads JSON with spaces to a multiple of 8 bytes. */
    public static byte[] pad(String json) {
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(raw, (raw.length + 7) & ~7);
        Arrays.fill(out, raw.length, out.length, (byte) ' ');
        return out;
    }

    /** Length prefix + header bytes + data. */
    public static byte[] file(byte[] header, byte[] data) {
        return file(header.length, header, data);
    }

    /** A file whose length prefix may lie about the header. */
    public static byte[] file(long declaredHeaderLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(header).put(data);
        return b.array();
    }

    /** Writes a file from raw header JSON and data (for crafted bad files). */
    public static Path writeRaw(Path file, String headerJson, byte[] data) {
        return writeBytes(file, file(headerJson.getBytes(StandardCharsets.UTF_8), data));
    }

    public static Path writeBytes(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Floats 0, 1, 2, ... times {@code scale} plus {@code offset}. */
    public static float[] ramp(int n, float scale, float offset) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = i * scale + offset;
        }
        return out;
    }

    /** Deterministic pseudo-random bytes. */
    public static byte[] bytes(int n, long seed) {
        byte[] out = new byte[n];
        new Random(seed).nextBytes(out);
        return out;
    }

    /** Concatenates the remaining bytes of chunks without moving them. */
    public static byte[] concat(List<ByteBuffer> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer c : chunks) {
            ByteBuffer d = c.duplicate();
            byte[] b = new byte[d.remaining()];
            d.get(b);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }
}
