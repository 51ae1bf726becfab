package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every validation rule: a crafted file, rejected with a message naming the file and tensor. */
class SafetensorsHardeningTest {
    @TempDir
    Path dir;

    private static final String W_OK = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    private Path raw(String header, int dataBytes) {
        return SafetensorsTestFiles.writeRaw(dir.resolve("bad.safetensors"), header, new byte[dataBytes]);
    }

    private static SafetensorsException rejected(Path file, String... fragments) {
        SafetensorsException e = assertThrows(
                SafetensorsException.class, () -> SafetensorsFile.open(file).close());
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "message should name the file: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "message should contain [" + f + "]: " + m);
        }
        return e;
    }

    @Test
    void missingFileAndDirectory() {
        rejected(dir.resolve("nope.safetensors"), "not found");
        rejected(dir, "not a regular file");
    }

    @Test
    void fileTooSmallForLengthPrefix() {
        rejected(SafetensorsTestFiles.writeBytes(dir.resolve("t.safetensors"), new byte[5]), "too small");
    }

    @Test
    void headerLengthAboveLimit() {
        byte[] f = SafetensorsTestFiles.file(100_000_001L, "{}".getBytes(), new byte[0]);
        rejected(SafetensorsTestFiles.writeBytes(dir.resolve("l.safetensors"), f), "limit");
        byte[] huge = SafetensorsTestFiles.file(-1L, "{}".getBytes(), new byte[0]); // 2^64 - 1
        rejected(SafetensorsTestFiles.writeBytes(dir.resolve("h.safetensors"), huge), "18446744073709551615", "limit");
    }

    @Test
    void headerLengthBeyondFileSize() {
        byte[] f = SafetensorsTestFiles.file(1000, "{}      ".getBytes(), new byte[0]);
        rejected(SafetensorsTestFiles.writeBytes(dir.resolve("s.safetensors"), f), "file size");
    }

    @Test
    void invalidUtf8() {
        byte[] header = "{\"w\u00ff\":{}}    ".getBytes(StandardCharsets.ISO_8859_1);
        byte[] f = SafetensorsTestFiles.file(header, new byte[0]);
        rejected(SafetensorsTestFiles.writeBytes(dir.resolve("u.safetensors"), f), "UTF-8");
    }

    @Test
    void invalidJson() {
        rejected(raw("{\"w\":", 0), "not valid JSON");
        rejected(raw("{\"w\":" + W_OK + "} x", 8), "not valid JSON");
        rejected(raw("{\"w\":" + W_OK + "}}", 8), "not valid JSON");
        rejected(raw("{" + "[".repeat(5000) + "]".repeat(5000) + "}", 0), "not valid JSON");
        rejected(raw("{\"a\":" + "[".repeat(100_000), 0), "not valid JSON");
    }

    @Test
    void jsonNotAnObject() {
        rejected(raw("[1,2]", 0), "not a JSON object");
        rejected(raw("\"w\"", 0), "not a JSON object");
        rejected(raw("", 0), "not a JSON object");
        rejected(raw("   ", 0), "not a JSON object");
    }

    @Test
    void entryNotAnObject() {
        rejected(raw("{\"w\":[0,8]}", 8), "'w'", "not a JSON object");
    }

    @Test
    void unknownOrMissingDtype() {
        rejected(
                raw("{\"w\":{\"dtype\":\"F17\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "'w'",
                "F17",
                "allowed: F64, F32, F16, BF16");
        rejected(raw("{\"w\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "'w'");
        rejected(raw("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "'w'", "dtype");
        rejected(raw("{\"w\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "'w'", "dtype");
    }

    @Test
    void shapeNotAListOfNonNegativeIntegers() {
        for (String shape :
                new String[] {"5", "[-1]", "[1.5]", "[\"2\"]", "[2e0]", "null", "[99999999999999999999]", "[[2]]"}) {
            rejected(
                    raw("{\"w\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,8]}}", 8),
                    "'w'",
                    "shape");
        }
        rejected(raw("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "'w'", "shape");
    }

    @Test
    void elementCountOverflow() {
        rejected(
                raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296]," + "\"data_offsets\":[0,8]}}", 8),
                "'w'",
                "overflow");
        // fits as elements, overflows as bytes
        rejected(
                raw("{\"w\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904]," + "\"data_offsets\":[0,8]}}", 8),
                "'w'",
                "overflow");
    }

    @Test
    void badDataOffsets() {
        for (String offsets :
                new String[] {"[0]", "[0,8,16]", "[8,0]", "[-1,7]", "[\"0\",8]", "{\"0\":8}", "[0.0,8]"}) {
            rejected(
                    raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + offsets + "}}", 8),
                    "'w'",
                    "data_offsets");
        }
        rejected(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "'w'", "data_offsets");
    }

    @Test
    void sizeMismatch() {
        rejected(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "'w'", "needs 8");
    }

    @Test
    void rangeOutsideFile() {
        rejected(raw("{\"w\":" + W_OK + "}", 4), "'w'", "outside");
        rejected(
                raw(
                        "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],"
                                + "\"data_offsets\":[9223372036854775806,9223372036854775807]}}",
                        4),
                "'w'",
                "outside");
    }

    @Test
    void overlappingTensors() {
        rejected(
                raw("{\"a\":" + W_OK + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2]," + "\"data_offsets\":[4,12]}}", 12),
                "'a'",
                "'b'",
                "overlaps");
        rejected(raw("{\"a\":" + W_OK + ",\"b\":" + W_OK + "}", 8), "'a'", "'b'", "overlaps");
    }

    @Test
    void gaps() {
        rejected(
                raw(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                        12),
                "'a'",
                "'b'",
                "gap");
        rejected(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "'a'", "gap");
        rejected(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8), "'a'", "4 bytes after");
        rejected(raw("{}", 3), "3 bytes after");
    }

    @Test
    void duplicateNames() {
        rejected(raw("{\"w\":" + W_OK + ",\"w\":" + W_OK + "}", 8), "duplicate", "'w'");
        rejected(
                raw("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2]," + "\"data_offsets\":[0,8]}}", 8),
                "dtype");
        rejected(raw("{\"__metadata__\":{},\"__metadata__\":{},\"w\":" + W_OK + "}", 8), "duplicate __metadata__");
    }

    @Test
    void badMetadata() {
        rejected(raw("{\"__metadata__\":[1],\"w\":" + W_OK + "}", 8), "__metadata__");
        rejected(raw("{\"__metadata__\":{\"k\":1},\"w\":" + W_OK + "}", 8), "__metadata__", "'k'");
    }

    @Test
    void absurdlyLongTensorNamesAreShortenedInMessages() {
        String name = "n".repeat(20_000);
        SafetensorsException e = rejected(raw("{\"" + name + "\":{\"dtype\":\"X\"}}", 0), "20000 chars");
        assertTrue(e.getMessage().length() < 2000);
    }

    @Test
    void fileTruncatedAfterHeaderIsCaught() throws Exception {
        Path ok = SafetensorsTestFiles.builder()
                .addF32("w", new long[] {4}, 1, 2, 3, 4)
                .write(dir.resolve("t.safetensors"));
        byte[] all = Files.readAllBytes(ok);
        Files.write(ok, Arrays.copyOf(all, all.length - 1));
        rejected(ok, "'w'", "outside");
        // header length field intact, header itself cut short
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        Files.write(ok, Arrays.copyOf(all, (int) (8 + b.getLong(0) - 3)));
        rejected(ok, "file size");
    }
}
