package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real file over 4 GiB with the default chunk and region sizes. The file is sparse (holes read
 * as zeros), so it costs neither disk space nor time; only marker bytes are written and read.
 */
class LargeSparseFileTest {
    @TempDir
    Path dir;

    @Test
    void tensorsBeyondTwoGibAreChunkedAndMappedCorrectly() throws Exception {
        long rowBytes = 1L << 31; // one row is larger than any chunk: element-wise chunks
        long bigBytes = 3 * rowBytes;
        String json = "{\"big\":{\"dtype\":\"U8\",\"shape\":[3," + rowBytes + "],\"data_offsets\":[0,"
                + bigBytes + "]},\"tail\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[" + bigBytes
                + "," + (bigBytes + 8) + "]}}";
        byte[] header = SafetensorsTestFiles.pad(json);
        long dataStart = 8 + header.length;
        long max = SafetensorsFile.DEFAULT_MAX_CHUNK_BYTES;
        long[] markers = {0, max - 1, max, 2 * max - 1, 2 * max, 3 * max - 1, 3 * max, bigBytes - 1};
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(SafetensorsTestFiles.file(header, new byte[0]));
            raf.setLength(dataStart + bigBytes + 8); // sparse: holes read back as zeros
            for (int i = 0; i < markers.length; i++) {
                raf.seek(dataStart + markers[i]);
                raf.write(i + 1);
            }
            raf.seek(dataStart + bigBytes);
            raf.write(new byte[] {7, 0, 0, 0, -1, -1, -1, -1});
        }
        try (SafetensorsFile sf = SafetensorsFile.open(file)) {
            List<ByteBuffer> chunks = sf.chunks("big");
            assertEquals(4, chunks.size());
            long total = 0;
            for (ByteBuffer c : chunks) {
                assertTrue(c.remaining() <= max);
                total += c.remaining();
            }
            assertEquals(bigBytes, total);
            for (int i = 0; i < markers.length; i++) {
                int chunk = (int) (markers[i] / max);
                int at = (int) (markers[i] % max);
                assertEquals(i + 1, chunks.get(chunk).get(at), "marker at " + markers[i]);
            }
            assertEquals(0, chunks.get(1).get(12345));
            ByteBuffer tail = sf.chunks("tail").get(0);
            assertEquals(7, tail.getInt(0));
            assertEquals(-1, tail.getInt(4));
            assertEquals(List.of("big", "tail"), List.copyOf(sf.tensors().keySet()));
        }
    }
}
