package dev.chimera.tensor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes a model's tensors as safetensors shards in a directory the caller owns (normally an
 * {@link OutputFolder#tempDir()}).
 *
 * <p>All shards, headers and offsets are planned in the constructor (see {@link ShardPlan} for the
 * mergekit-compatible rule), so {@link #write} can put each tensor straight at its offset with
 * positional writes: from any thread, in any order, without buffering. {@link #finish()} checks
 * that every tensor arrived, syncs and closes the files, and writes {@code
 * model.safetensors.index.json} when there is more than one shard.
 *
 * <p>Headers carry {@code {"__metadata__": {"format": "pt"}}} and are padded with spaces so tensor
 * data starts on an 8-byte boundary. Note that Java NIO closes a channel when a thread is
 * interrupted during a write; the writer then fails, and the merge must be aborted.
 */
public final class ShardedSafetensorsWriter implements AutoCloseable {
    /** mergekit's default {@code --out-shard-size}, "5B" = 5,000,000,000 bytes. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_MISSING_LISTED = 20;

    private final Path dir;
    private final List<OpenShard> shards = new ArrayList<>();
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final long totalSize;
    private boolean finished;
    private volatile boolean closed;

    private static final class OpenShard {
        final String fileName;
        final Path path;
        final FileChannel channel;
        final long fileSize;

        OpenShard(String fileName, Path path, FileChannel channel, long fileSize) {
            this.fileName = fileName;
            this.path = path;
            this.channel = channel;
            this.fileSize = fileSize;
        }
    }

    private static final class Slot {
        final TensorSpec spec;
        final OpenShard shard;
        final long position;
        final AtomicBoolean claimed = new AtomicBoolean();
        volatile boolean done;

        Slot(TensorSpec spec, OpenShard shard, long position) {
            this.spec = spec;
            this.shard = shard;
            this.position = position;
        }
    }

    /**
     * Plans the shards and creates the files with their headers.
     *
     * @param dir existing directory to write into
     * @param specs tensors in output order; names must be unique
     * @param maxShardBytes tensor bytes per shard before a new one starts; 0 or less: one shard
     * @throws IllegalArgumentException for an empty or duplicated tensor list
     * @throws SafetensorsException if the files cannot be created
     */
    public ShardedSafetensorsWriter(Path dir, List<TensorSpec> specs, long maxShardBytes) {
        this.dir = dir;
        List<ShardPlan.Shard> plan = ShardPlan.plan(specs, maxShardBytes);
        long total = 0;
        try {
            for (ShardPlan.Shard shard : plan) {
                total = Math.addExact(total, shard.dataBytes());
                openShard(shard);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        this.totalSize = total;
    }

    private void openShard(ShardPlan.Shard plan) {
        byte[] header = header(plan.tensors());
        Path path = dir.resolve(plan.fileName());
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new SafetensorsException(path + ": cannot create shard: " + e.getMessage(), e);
        }
        long dataStart = 8L + header.length;
        OpenShard shard = new OpenShard(plan.fileName(), path, channel, dataStart + plan.dataBytes());
        shards.add(shard);
        ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(header.length).put(header).flip();
        writeFully(shard, prefix, 0, "the header");
        long offset = dataStart;
        for (TensorSpec spec : plan.tensors()) {
            slots.put(spec.name(), new Slot(spec, shard, offset));
            offset += spec.byteSize();
        }
    }

    /** Header JSON in tensor order, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(List<TensorSpec> tensors) {
        ObjectNode root = MAPPER.createObjectNode();
        root.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (TensorSpec spec : tensors) {
            ObjectNode entry = root.putObject(spec.name());
            entry.put("dtype", spec.dtype().safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(spec.shape()).forEach(shape::add);
            long end = offset + spec.byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        if (padded > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("safetensors header of " + padded + " bytes exceeds the format's limit");
        }
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Shard file names, in order. */
    public List<String> shardFiles() {
        return shards.stream().map(s -> s.fileName).toList();
    }

    /** The shard file a tensor goes to. */
    public String shardOf(String name) {
        return slot(name).shard.fileName;
    }

    /** Sum of all tensor bytes (the index's {@code total_size}). */
    public long totalSize() {
        return totalSize;
    }

    /**
     * Writes one tensor's bytes (the remaining bytes of each chunk, in order) at its planned offset.
     * Thread-safe; tensors may arrive in any order, each exactly once. The chunks' positions are not
     * changed.
     *
     * @throws IllegalArgumentException if the tensor was not planned or the byte count is wrong
     * @throws IllegalStateException if it was already written, or the writer is finished or closed
     * @throws SafetensorsException if the write fails
     */
    public void write(String name, List<ByteBuffer> chunks) {
        Slot slot = slot(name);
        long bytes = 0;
        for (ByteBuffer chunk : chunks) {
            bytes += chunk.remaining();
        }
        if (bytes != slot.spec.byteSize()) {
            throw new IllegalArgumentException("tensor " + name + " " + slot.spec.dtype()
                    + Arrays.toString(slot.spec.shape()) + " needs " + slot.spec.byteSize() + " bytes, got " + bytes);
        }
        if (closed) {
            throw new IllegalStateException("writer for " + dir + " is already finished or closed");
        }
        if (!slot.claimed.compareAndSet(false, true)) {
            throw new IllegalStateException("tensor " + name + " was already written");
        }
        long position = slot.position;
        for (ByteBuffer chunk : chunks) {
            ByteBuffer src = chunk.duplicate();
            writeFully(slot.shard, src, position, "tensor " + name);
            position += chunk.remaining();
        }
        slot.done = true;
    }

    /** Writes a tensor given as one buffer; see {@link #write(String, List)}. */
    public void write(String name, ByteBuffer data) {
        write(name, List.of(data));
    }

    private static void writeFully(OpenShard shard, ByteBuffer src, long position, String what) {
        try {
            long pos = position;
            while (src.hasRemaining()) {
                pos += shard.channel.write(src, pos);
            }
        } catch (IOException e) {
            throw new SafetensorsException(shard.path + ": cannot write " + what + ": " + e, e);
        }
    }

    private Slot slot(String name) {
        Slot slot = slots.get(name);
        if (slot == null) {
            throw new IllegalArgumentException("tensor " + name + " is not in the output plan");
        }
        return slot;
    }

    /**
     * Checks that every tensor was written, syncs and closes the shards, and writes the index if
     * there are several shards. Call once, after all writes have returned.
     *
     * @throws IllegalStateException naming missing tensors
     * @throws SafetensorsException if syncing or writing the index fails
     */
    public synchronized void finish() {
        if (finished || closed) {
            throw new IllegalStateException("writer for " + dir + " is already finished or closed");
        }
        List<String> missing = slots.values().stream()
                .filter(s -> !s.done)
                .map(s -> s.spec.name())
                .toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " tensor(s) were never written: "
                    + String.join(", ", missing.subList(0, Math.min(MAX_MISSING_LISTED, missing.size())))
                    + (missing.size() > MAX_MISSING_LISTED ? ", ..." : ""));
        }
        closed = true;
        for (OpenShard shard : shards) {
            try (FileChannel channel = shard.channel) {
                if (channel.size() != shard.fileSize) {
                    throw new SafetensorsException(
                            shard.path + ": size " + channel.size() + " differs from the planned " + shard.fileSize);
                }
                channel.force(true);
            } catch (IOException e) {
                close();
                throw new SafetensorsException(shard.path + ": cannot sync shard: " + e, e);
            }
        }
        if (shards.size() > 1) {
            writeIndex();
        }
        finished = true;
    }

    private void writeIndex() {
        ObjectNode root = MAPPER.createObjectNode();
        root.putObject("metadata").put("total_size", totalSize);
        ObjectNode weightMap = root.putObject("weight_map");
        slots.forEach((name, slot) -> weightMap.put(name, slot.shard.fileName));
        Path index = dir.resolve(SafetensorsModel.INDEX_FILE);
        try {
            Files.writeString(index, Json.pretty(MAPPER, root) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SafetensorsException(index + ": cannot write shard index: " + e, e);
        }
    }

    /** Closes all files without finishing (abandons the output); harmless after {@link #finish}. */
    @Override
    public synchronized void close() {
        closed = true;
        for (OpenShard shard : shards) {
            try {
                shard.channel.close();
            } catch (IOException ignored) {
                // the output is being abandoned or was already synced by finish()
            }
        }
    }

    /**
     * Parses a shard size the way mergekit parses {@code --out-shard-size} ({@code parse_kmb}):
     * plain digits are bytes; a trailing k, m or b (any case) multiplies by 10^3, 10^6 or 10^9.
     * Also accepts g as a synonym of b, which mergekit does not. "0" means no size limit.
     *
     * @throws IllegalArgumentException for anything else, or a value that overflows
     */
    public static long parseSize(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty shard size");
        }
        char last = Character.toLowerCase(text.charAt(text.length() - 1));
        long multiplier;
        String digits = text.substring(0, text.length() - 1);
        switch (last) {
            case 'k' -> multiplier = 1000L;
            case 'm' -> multiplier = 1000L * 1000;
            case 'b', 'g' -> multiplier = 1000L * 1000 * 1000;
            default -> {
                multiplier = 1;
                digits = text;
            }
        }
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("invalid size \"" + text
                    + "\": expected digits with an optional K, M, B or G suffix," + " e.g. 5B");
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), multiplier);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large");
        }
    }
}
