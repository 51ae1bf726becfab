package dev.chimera.estimate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.chimera.eval.Item;
import dev.chimera.eval.Task;
import dev.chimera.tensor.TokenizerFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * SHA-256 fingerprints that key the {@link ResponseCache}: one of a model folder, one of a task.
 *
 * <p><b>Model</b>: {@code config.json}, every tokenizer file present ({@link TokenizerFiles#FILES}), the
 * safetensors index if any, and for every {@code *.safetensors} file its name, size, full header and
 * {@value #SAMPLED_BLOCKS} blocks of {@value #BLOCK_BYTES} bytes spread evenly over its data. The full weight bytes of
 * a 14 GB model are never read (a fingerprint costs a few MB of I/O); the sampled blocks tell apart folders whose
 * headers agree but whose weights differ (e.g. two merges of one recipe with different seeds), though only where
 * they differ in a sampled block. The folder's location is not part of it: a copy of a model hits the cache.
 *
 * <p><b>Task</b>: everything that decides its per-item results: type, format, prompt and continuation templates,
 * few-shot count and separator, language, metric, max new tokens, stop strings, and the full content of every
 * item and few-shot item (ids, questions, choices, answers, targets). The task's name and file paths are not part
 * of it.
 */
public final class Fingerprint {
    static final int SAMPLED_BLOCKS = 16;
    static final int BLOCK_BYTES = 4096;
    /** Safetensors headers above this are refused (as the reader's own limit). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Fingerprint() {}

    /** The fingerprint of a Hugging Face model folder (see the class comment). */
    public static String model(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new EstimateException("model folder " + dir + " does not exist");
        }
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new EstimateException("model folder " + dir + " has no config.json");
        }
        MessageDigest md = sha256();
        update(md, "chimera-model-fingerprint/1");
        try {
            wholeFile(md, config);
            for (String name : TokenizerFiles.FILES) {
                Path f = dir.resolve(name);
                if (Files.isRegularFile(f)) {
                    wholeFile(md, f);
                }
            }
            Path index = dir.resolve("model.safetensors.index.json");
            if (Files.isRegularFile(index)) {
                wholeFile(md, index);
            }
            List<Path> shards = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                        .sorted()
                        .forEach(shards::add);
            }
            if (shards.isEmpty()) {
                throw new EstimateException("model folder " + dir + " has no .safetensors files");
            }
            for (Path shard : shards) {
                safetensors(md, shard);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model folder " + dir + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The fingerprint of a task with its loaded items and few-shot items (see the class comment). */
    public static String task(Task task, List<Item> items, List<Item> fewshot) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fingerprint", "chimera-task-fingerprint/1");
        m.put("type", task.type().name());
        m.put("format", task.format().name());
        m.put("prompt", task.prompt());
        m.put("continuation", task.continuation());
        m.put("fewshot", task.fewshot());
        m.put("fewshotSeparator", task.fewshotSeparator());
        m.put("language", task.language());
        m.put("metric", task.metric());
        m.put("maxNewTokens", task.maxNewTokens());
        m.put("stop", task.stop());
        if (task.harness() != null) {
            m.put("harness", task.harness().fingerprint());
        }
        m.put("items", items.stream().map(Fingerprint::item).toList());
        m.put("fewshotItems", fewshot.stream().map(Fingerprint::item).toList());
        try {
            MessageDigest md = sha256();
            md.update(JSON.writeValueAsBytes(m));
            return HexFormat.of().formatHex(md.digest());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> item(Item item) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", item.id());
        m.put("question", item.question());
        if (item instanceof Item.Choice c) {
            m.put("choices", c.choices());
            m.put("answer", c.answer());
        } else if (item instanceof Item.Generation g) {
            m.put("answer", g.answer().toString());
            m.put("target", g.target());
        } else if (item instanceof Item.Text t) {
            m.put("target", t.target());
        }
        return m;
    }

    private static void wholeFile(MessageDigest md, Path f) throws IOException {
        byte[] bytes = Files.readAllBytes(f);
        update(md, "file " + f.getFileName() + " " + bytes.length);
        md.update(bytes);
    }

    private static void safetensors(MessageDigest md, Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new EstimateException(f + ": not a safetensors file (" + size + " bytes)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0, f);
            long headerLen = len.flip().getLong();
            if (headerLen < 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new EstimateException(f + ": not a safetensors file (header length "
                        + Long.toUnsignedString(headerLen) + ", file size " + size + ")");
            }
            update(md, "safetensors " + f.getFileName() + " " + size);
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8, f);
            md.update(header.flip());
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            ByteBuffer block = ByteBuffer.allocate(BLOCK_BYTES);
            for (int k = 0; k < SAMPLED_BLOCKS; k++) {
                long off = dataLen <= BLOCK_BYTES
                        ? 0
                        : (long) ((double) k / (SAMPLED_BLOCKS - 1) * (dataLen - BLOCK_BYTES));
                int n = (int) Math.min(BLOCK_BYTES, dataLen - off);
                if (n <= 0) {
                    break;
                }
                block.clear().limit(n);
                readFully(ch, block, dataStart + off, f);
                md.update(block.flip());
                if (dataLen <= BLOCK_BYTES) {
                    break;
                }
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path f) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new EstimateException(f + ": unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }

    private static void update(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
