package dev.chimera.tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, memory-mapped and read lazily.
 *
 * <p>{@link #open} reads and validates only the header; tensor bytes are touched only when a caller
 * reads a view from {@link #chunks}. Files and tensors larger than 2 GiB are supported: the file is
 * mapped in regions and each tensor is handed out as several chunks of at most {@code
 * maxChunkBytes}.
 *
 * <p>Validation follows Hugging Face's reference implementation, and every failure is a {@link
 * SafetensorsException} naming the file and, where relevant, the tensor: header length above
 * 100,000,000 bytes or beyond the file; header not UTF-8, not JSON, or not a JSON object; an entry
 * that is not an object; unknown dtype; shape not a list of non-negative integers; element or byte
 * count overflowing a long; malformed {@code data_offsets}; byte length not equal to elements times
 * dtype size; ranges outside the file; overlaps; gaps (the tensors must tile the data section from
 * 0 to the end of the file exactly); duplicate tensor names; non-string {@code __metadata__}
 * values. Memory is never allocated from a header value before it has been checked against the
 * real file size.
 *
 * <p>Thread-safe. Views returned by {@link #chunks} stay readable after {@link #close()} (the
 * mapping lives until they are garbage collected), but the file must not be truncated while they
 * are in use: the JVM reports that as an {@link InternalError}, which no reader can prevent.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Default chunk limit: the largest multiple of 8 not above {@code Integer.MAX_VALUE - 8}. */
    public static final long DEFAULT_MAX_CHUNK_BYTES = (Integer.MAX_VALUE - 8) & ~7L;

    /** Default mapped-region size, a 64 KiB multiple below 2 GiB. */
    static final long DEFAULT_REGION_BYTES = Integer.MAX_VALUE & ~0xFFFFL;

    private final Path path;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final MappedRegions regions;
    private final long maxChunkBytes;
    private volatile boolean closed;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header, MappedRegions regions, long max) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.regions = regions;
        this.maxChunkBytes = max;
    }

    /** Opens a file with the default chunk limit. */
    public static SafetensorsFile open(Path path) {
        return open(path, DEFAULT_MAX_CHUNK_BYTES);
    }

    /**
     * Opens a file whose tensors will be handed out in chunks of at most {@code maxChunkBytes}.
     *
     * @param maxChunkBytes between {@link DType#MAX_SIZE} and {@link #DEFAULT_MAX_CHUNK_BYTES}
     * @throws SafetensorsException if the file is missing, unreadable or its header is invalid
     */
    public static SafetensorsFile open(Path path, long maxChunkBytes) {
        return open(path, maxChunkBytes, DEFAULT_REGION_BYTES);
    }

    /** As {@link #open(Path, long)} with a mapped-region size; tests lower it to cross regions. */
    static SafetensorsFile open(Path path, long maxChunkBytes, long regionBytes) {
        if (maxChunkBytes < DType.MAX_SIZE || maxChunkBytes > DEFAULT_MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("maxChunkBytes must be in [" + DType.MAX_SIZE + ", "
                    + DEFAULT_MAX_CHUNK_BYTES + "]: " + maxChunkBytes);
        }
        if (!Files.isRegularFile(path)) {
            throw new SafetensorsException(
                    path + ": " + (Files.exists(path) ? "not a regular file" : "file not found"));
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(path + ": file not found", e);
        } catch (IOException e) {
            throw new SafetensorsException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            SafetensorsHeader header = SafetensorsHeader.read(channel, size, path);
            MappedRegions regions = new MappedRegions(channel, path, size, regionBytes);
            return new SafetensorsFile(path, channel, header, regions, maxChunkBytes);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new SafetensorsException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** Tensors in header order, by name. */
    public Map<String, TensorInfo> tensors() {
        return header.tensors;
    }

    /** The header's {@code __metadata__} (empty if absent). */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    /** Whether the file holds a tensor of this name. */
    public boolean has(String name) {
        return header.tensors.containsKey(name);
    }

    /**
     * The description of one tensor.
     *
     * @throws SafetensorsException naming the file and tensor if there is no such tensor
     */
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors.get(name);
        if (info == null) {
            throw new SafetensorsException(path + ": no tensor " + SafetensorsHeader.quote(String.valueOf(name)));
        }
        return info;
    }

    /** The chunk limit this file was opened with. */
    public long maxChunkBytes() {
        return maxChunkBytes;
    }

    /**
     * The tensor's bytes as read-only little-endian views, in order, each at most {@link
     * #maxChunkBytes()} long. Chunks end on row boundaries (a row is {@code shape[1:]} elements)
     * when a row fits in a chunk, otherwise on element boundaries. An empty tensor has no chunks.
     * Each call returns fresh buffers, so callers may move their positions freely.
     *
     * @throws SafetensorsException if there is no such tensor or the bytes cannot be mapped
     * @throws IllegalStateException if the file is closed
     */
    public List<ByteBuffer> chunks(String name) {
        TensorInfo info = info(name);
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        long total = info.byteSize();
        long step = chunkStep(info, maxChunkBytes);
        List<ByteBuffer> out = new ArrayList<>((int) Math.min(1024, (total + step - 1) / step));
        long start = header.dataStart + info.begin();
        for (long off = 0; off < total; off += step) {
            out.add(regions.slice(start + off, (int) Math.min(step, total - off), name));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Copies a tensor's bytes into a new array (for small tensors and tests).
     *
     * @throws SafetensorsException if the tensor is too large for one array
     */
    public byte[] readBytes(String name) {
        TensorInfo info = info(name);
        if (info.byteSize() > DEFAULT_MAX_CHUNK_BYTES) {
            throw new SafetensorsException(path + ": tensor " + SafetensorsHeader.quote(name) + " (" + info.byteSize()
                    + " bytes) is too large for one array; use chunks()");
        }
        byte[] out = new byte[(int) info.byteSize()];
        int pos = 0;
        for (ByteBuffer chunk : chunks(name)) {
            int n = chunk.remaining();
            chunk.get(out, pos, n);
            pos += n;
        }
        return out;
    }

    /** Largest chunk length that ends on a row boundary, or else on an element boundary. */
    static long chunkStep(TensorInfo info, long maxChunkBytes) {
        long row = info.rowBytes();
        if (row > 0 && row <= maxChunkBytes) {
            return maxChunkBytes / row * row;
        }
        int element = info.dtype().size();
        return maxChunkBytes / element * element;
    }

    /** Closes the channel; existing views remain valid until garbage collected. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing useful to do: the file was only read
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + header.tensors.size() + " tensors]";
    }
}
