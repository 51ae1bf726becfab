package dev.chimera.tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A read-only file mapped lazily in fixed-size regions, because one {@link MappedByteBuffer} cannot
 * exceed 2 GiB. A slice that straddles two regions gets a mapping of its own, so slices never
 * depend on where region boundaries fall.
 */
final class MappedRegions {
    private final FileChannel channel;
    private final Path path;
    private final long fileSize;
    private final long regionBytes;
    private final ConcurrentHashMap<Long, MappedByteBuffer> regions = new ConcurrentHashMap<>();

    MappedRegions(FileChannel channel, Path path, long fileSize, long regionBytes) {
        if (regionBytes < 1 || regionBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("region size must be in [1, 2^31-1]: " + regionBytes);
        }
        this.channel = channel;
        this.path = path;
        this.fileSize = fileSize;
        this.regionBytes = regionBytes;
    }

    /** A read-only little-endian view of {@code length} bytes at absolute file position {@code pos}. */
    ByteBuffer slice(long pos, int length, String tensor) {
        if (pos < 0 || length < 0 || pos > fileSize - length) {
            throw new SafetensorsException(path + ": tensor " + SafetensorsHeader.quote(tensor) + ": bytes [" + pos
                    + ", " + (pos + length) + ") lie outside the file");
        }
        long first = pos / regionBytes;
        long last = length == 0 ? first : (pos + length - 1) / regionBytes;
        ByteBuffer view;
        if (first == last) {
            MappedByteBuffer region = regions.computeIfAbsent(first, i -> mapRegion(i, tensor));
            view = region.slice((int) (pos - first * regionBytes), length);
        } else {
            view = map(pos, length, tensor);
        }
        return view.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private MappedByteBuffer mapRegion(long index, String tensor) {
        long start = index * regionBytes;
        return map(start, Math.min(regionBytes, fileSize - start), tensor);
    }

    private MappedByteBuffer map(long start, long length, String tensor) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, start, length);
        } catch (IOException | RuntimeException e) {
            throw new SafetensorsException(
                    path + ": cannot map bytes [" + start + ", " + (start + length) + ") for tensor "
                            + SafetensorsHeader.quote(tensor) + ": " + e,
                    e);
        }
    }
}
