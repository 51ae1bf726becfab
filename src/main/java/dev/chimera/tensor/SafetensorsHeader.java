package dev.chimera.tensor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates a safetensors header with the rules of Hugging Face's reference crate:
 * header at most 100,000,000 bytes, a UTF-8 JSON object (whitespace around it allowed), known
 * dtypes, shapes of non-negative integers without overflow, offsets that tile the data section
 * exactly. Stricter than the reference in one way: duplicate tensor names are refused rather
 * than silently resolved.
 *
 * <p>Memory is only ever allocated for a header length already checked against the limit and the
 * real file size.
 */
final class SafetensorsHeader {
    static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA_KEY = "__metadata__";
    private static final int MAX_NAME_IN_MESSAGE = 200;

    private static final ObjectMapper MAPPER =
            new ObjectMapper(new JsonFactory()).enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    /** Bytes before the data section: 8 plus the header length. */
    final long dataStart;

    final Map<String, String> metadata;
    final Map<String, TensorInfo> tensors;

    private SafetensorsHeader(long dataStart, Map<String, String> metadata, Map<String, TensorInfo> tensors) {
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Reads the header of {@code file} from an open channel whose size is {@code fileSize}. */
    static SafetensorsHeader read(FileChannel channel, long fileSize, Path file) {
        if (fileSize < 8) {
            throw fail(file, "file is " + fileSize + " bytes, too small for the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0, file);
        long n = lengthBytes.getLong(0); // u64: a negative long is above any limit
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw fail(
                    file,
                    "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_BYTES
                            + " bytes");
        }
        if (n > fileSize - 8) {
            throw fail(file, "header length " + n + " exceeds the file size (" + fileSize + " bytes); truncated file?");
        }
        ByteBuffer header = ByteBuffer.allocate((int) n);
        readFully(channel, header, 8, file);
        return parse(header.array(), fileSize - 8 - n, file);
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long position, Path file) {
        try {
            long pos = position;
            while (dst.hasRemaining()) {
                int read = channel.read(dst, pos);
                if (read < 0) {
                    throw fail(file, "file ended while reading the header; was it truncated?");
                }
                pos += read;
            }
        } catch (IOException e) {
            throw new SafetensorsException(file + ": cannot read header: " + e.getMessage(), e);
        }
    }

    /** Parses header JSON for a data section of {@code dataLength} bytes. */
    static SafetensorsHeader parse(byte[] json, long dataLength, Path file) {
        String text = decodeUtf8(json, file);
        Map<String, String> metadata = Map.of();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        try (JsonParser p = MAPPER.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw fail(file, "header is not a JSON object");
            }
            boolean seenMetadata = false;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw fail(file, "header is not a well-formed JSON object");
                }
                String name = p.currentName();
                p.nextToken();
                JsonNode value = MAPPER.readTree(p);
                if (METADATA_KEY.equals(name)) {
                    if (seenMetadata) {
                        throw fail(file, "duplicate " + METADATA_KEY + " entry");
                    }
                    seenMetadata = true;
                    metadata = parseMetadata(value, file);
                } else {
                    if (tensors.containsKey(name)) {
                        throw fail(file, "duplicate tensor name " + quote(name));
                    }
                    tensors.put(name, parseEntry(name, value, dataLength, file));
                }
            }
            if (p.nextToken() != null) {
                throw fail(file, "unexpected data after the header's JSON object");
            }
        } catch (IOException e) {
            // JsonProcessingException and the stream constraint errors (nesting, number length) land here
            String detail = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new SafetensorsException(file + ": header is not valid JSON: " + detail, e);
        }
        checkTiling(tensors, dataLength, file);
        return new SafetensorsHeader(8 + json.length, metadata, Collections.unmodifiableMap(tensors));
    }

    private static String decodeUtf8(byte[] bytes, Path file) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file + ": header is not valid UTF-8", e);
        }
    }

    private static Map<String, String> parseMetadata(JsonNode node, Path file) {
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw fail(file, METADATA_KEY + " must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw fail(file, METADATA_KEY + " value for " + quote(e.getKey()) + " is not a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo parseEntry(String name, JsonNode node, long dataLength, Path file) {
        String where = "tensor " + quote(name);
        if (!node.isObject()) {
            throw fail(file, where + ": entry is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw fail(file, where + ": \"dtype\" is missing or not a string");
        }
        DType dtype;
        try {
            dtype = DType.parse(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw fail(file, where + ": " + e.getMessage());
        }
        long[] shape = nonNegativeLongs(node.get("shape"), -1);
        if (shape == null) {
            throw fail(file, where + ": \"shape\" must be a list of non-negative integers");
        }
        long[] offsets = nonNegativeLongs(node.get("data_offsets"), 2);
        if (offsets == null || offsets[1] < offsets[0]) {
            throw fail(file, where + ": \"data_offsets\" must be [begin, end] with 0 <= begin <= end");
        }
        long bytes;
        try {
            bytes = Shapes.byteSize(shape, dtype.size());
        } catch (ArithmeticException e) {
            throw fail(file, where + ": element count of shape " + shapeText(shape) + " overflows");
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw fail(
                    file,
                    where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] span "
                            + (offsets[1] - offsets[0]) + " bytes but " + dtype + shapeText(shape) + " needs "
                            + bytes);
        }
        if (offsets[1] > dataLength) {
            throw fail(
                    file,
                    where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] lie outside the data section of "
                            + dataLength + " bytes; truncated file?");
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers that fit a long, of the given length (-1: any). */
    private static long[] nonNegativeLongs(JsonNode node, int length) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            return null;
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = node.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToLong() || e.longValue() < 0) {
                return null;
            }
            out[i] = e.longValue();
        }
        return out;
    }

    /** Offsets sorted by position must cover [0, dataLength) with no gap and no overlap. */
    private static void checkTiling(Map<String, TensorInfo> tensors, long dataLength, Path file) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() > expected) {
                throw fail(
                        file,
                        "gap in data section: bytes [" + expected + ", " + t.begin() + ") between "
                                + (previous == null ? "the header" : "tensor " + quote(previous.name()))
                                + " and tensor " + quote(t.name()) + " belong to no tensor");
            }
            if (t.begin() < expected) {
                throw fail(
                        file,
                        "tensor " + quote(t.name()) + " at [" + t.begin() + ", " + t.end()
                                + ") overlaps tensor " + quote(previous.name()) + " at [" + previous.begin()
                                + ", " + previous.end() + ")");
            }
            expected = t.end();
            previous = t;
        }
        if (expected != dataLength) {
            throw fail(
                    file,
                    "data section has " + (dataLength - expected) + " bytes after "
                            + (previous == null ? "the header" : "the last tensor " + quote(previous.name()))
                            + " that belong to no tensor");
        }
    }

    private static String shapeText(long[] shape) {
        return Arrays.toString(shape);
    }

    /** Quotes a name for a message, shortening absurdly long ones from crafted files. */
    static String quote(String name) {
        String s = name.length() > MAX_NAME_IN_MESSAGE
                ? name.substring(0, MAX_NAME_IN_MESSAGE) + "...(" + name.length() + " chars)"
                : name;
        return "'" + s + "'";
    }

    private static SafetensorsException fail(Path file, String message) {
        return new SafetensorsException(file + ": " + message);
    }
}
