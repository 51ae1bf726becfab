package dev.chimera.bench;

import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.MergeConfigYaml;
import dev.chimera.merge.MergeRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Merge throughput on a synthetic 3-model bf16 set: bytes read + written per second per method, next to the
 * machine's memory-copy bandwidth (page-cached file -> memory) measured in the same run.
 */
public final class MergeBench {
    /** One measured method. */
    public record Row(
            String method,
            double seconds,
            long bytesRead,
            long bytesWritten,
            double gbPerSec,
            double ratioToCopy,
            double ratioToFileCopy,
            double memorySeconds,
            double memoryGbPerSec) {}

    private MergeBench() {}

    public static final Map<String, String> CONFIGS = new LinkedHashMap<>();

    static {
        CONFIGS.put("linear", """
                models:
                  - model: $D/m1
                    parameters: {weight: 0.4}
                  - model: $D/m2
                    parameters: {weight: 0.3}
                  - model: $D/base
                    parameters: {weight: 0.3}
                merge_method: linear
                """);
        CONFIGS.put("task_arithmetic", """
                models:
                  - model: $D/m1
                    parameters: {weight: 0.6}
                  - model: $D/m2
                    parameters: {weight: 0.5}
                merge_method: task_arithmetic
                base_model: $D/base
                """);
        CONFIGS.put("ties", """
                models:
                  - model: $D/m1
                    parameters: {weight: 0.6, density: 0.5}
                  - model: $D/m2
                    parameters: {weight: 0.5, density: 0.5}
                merge_method: ties
                base_model: $D/base
                """);
        CONFIGS.put("dare_ties", """
                models:
                  - model: $D/m1
                    parameters: {weight: 0.6, density: 0.5}
                  - model: $D/m2
                    parameters: {weight: 0.5, density: 0.5}
                merge_method: dare_ties
                base_model: $D/base
                """);
        CONFIGS.put("slerp", """
                models:
                  - model: $D/base
                  - model: $D/m1
                merge_method: slerp
                base_model: $D/base
                parameters: {t: 0.4}
                """);
    }

    public static List<Row> run(
            Path work, SyntheticModels.Shape shape, List<String> methods, int threads, int repeats, PrintStream log)
            throws IOException {
        Files.createDirectories(work);
        for (String m : List.of("base", "m1", "m2")) {
            Path d = work.resolve(m);
            if (!Files.exists(d.resolve("config.json"))) {
                log.printf("writing synthetic model %s (%.2f GB bf16)%n", d, shape.parameters() * 2 / 1e9);
                SyntheticModels.write(d, shape, 42, m.equals("base") ? 0 : m.equals("m1") ? 1 : 2);
            }
        }
        double copy = copyBandwidth(work, log);
        double fileCopy = fileCopyBandwidth(work, log);
        List<Row> rows = new ArrayList<>();
        for (String method : methods) {
            String yaml = CONFIGS.get(method);
            if (yaml == null) {
                throw new IllegalArgumentException(
                        "no benchmark config for method " + method + "; known: " + CONFIGS.keySet());
            }
            MergeConfig cfg = MergeConfigYaml.parse(yaml.replace("$D", work.toString()), method);
            Row best = null;
            for (int r = 0; r < repeats; r++) {
                Path out = work.resolve("out-" + method);
                MergeRunner.Result res = MergeRunner.run(
                        cfg,
                        work,
                        out,
                        new MergeRunner.Options("cpu", 0, 5_000_000_000L, threads, true),
                        new MergeRunner.Listener() {});
                double gbs = (res.bytesRead() + res.bytesWritten()) / res.seconds() / 1e9;
                // the same merge with the output kept in memory (as the engine's mergers do): no file writes, no fsync
                MergeRunner.Result mem = MergeRunner.runToSink(
                        cfg,
                        work,
                        new MergeRunner.Options("cpu", 0, 5_000_000_000L, threads, true),
                        (name, bytes) -> {});
                double memGbs = (mem.bytesRead() + mem.bytesWritten()) / mem.seconds() / 1e9;
                Row row = new Row(
                        method,
                        res.seconds(),
                        res.bytesRead(),
                        res.bytesWritten(),
                        gbs,
                        gbs / copy,
                        gbs / fileCopy,
                        mem.seconds(),
                        memGbs);
                log.printf(
                        "%-16s %6.2f s  %6.2f GB/s  %5.1f %% of memory copy, %5.1f %% of file copy; in memory %6.2f s %6.2f GB/s %5.1f %%%n",
                        method,
                        row.seconds(),
                        gbs,
                        100 * row.ratioToCopy(),
                        100 * row.ratioToFileCopy(),
                        mem.seconds(),
                        memGbs,
                        100 * memGbs / copy);
                if (best == null || row.seconds() < best.seconds()) {
                    best = best != null && best.memorySeconds() < row.memorySeconds()
                            ? new Row(
                                    row.method(),
                                    row.seconds(),
                                    row.bytesRead(),
                                    row.bytesWritten(),
                                    row.gbPerSec(),
                                    row.ratioToCopy(),
                                    row.ratioToFileCopy(),
                                    best.memorySeconds(),
                                    best.memoryGbPerSec())
                            : row;
                } else if (row.memorySeconds() < best.memorySeconds()) {
                    best = new Row(
                            best.method(),
                            best.seconds(),
                            best.bytesRead(),
                            best.bytesWritten(),
                            best.gbPerSec(),
                            best.ratioToCopy(),
                            best.ratioToFileCopy(),
                            row.memorySeconds(),
                            row.memoryGbPerSec());
                }
                deleteTree(out);
            }
            rows.add(best);
        }
        rows.add(0, new Row("memory copy", 0, 0, 0, copy, 1, copy / fileCopy, 0, copy));
        rows.add(1, new Row("file copy", 0, 0, 0, fileCopy, fileCopy / copy, 1, 0, 0));
        return rows;
    }

    /** Best-of-5 copy of 1 GiB from a page-cached, memory-mapped model file into memory, in GB/s. */
    static double copyBandwidth(Path work, PrintStream log) throws IOException {
        Path f = work.resolve("base").resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(f)) {
            long len = Math.min(ch.size(), 1L << 30);
            MappedByteBuffer src = ch.map(FileChannel.MapMode.READ_ONLY, 0, len);
            src.load();
            ByteBuffer dst = ByteBuffer.allocateDirect((int) len);
            double best = 0;
            for (int i = 0; i < 5; i++) {
                dst.clear();
                long t0 = System.nanoTime();
                dst.put(src.duplicate());
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, len / s / 1e9);
            }
            log.printf("memory copy (page-cached mmap -> memory, 1 GiB): %.2f GB/s%n", best);
            return best;
        }
    }

    /**
     * What a merge that writes its result can at best do here: read a page-cached model file and write the same
     * bytes to a new file with positional writes, then fsync (as the merge writer does), in GB/s of read + written.
     */
    static double fileCopyBandwidth(Path work, PrintStream log) throws IOException {
        Path f = work.resolve("base").resolve("model.safetensors");
        Path dst = work.resolve("copy.tmp");
        double best = 0;
        try (FileChannel in = FileChannel.open(f)) {
            long len = in.size();
            MappedByteBuffer src = in.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(len, Integer.MAX_VALUE));
            len = src.capacity();
            for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                try (FileChannel out = FileChannel.open(
                        dst,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    ByteBuffer b = src.duplicate();
                    long pos = 0;
                    while (b.hasRemaining()) {
                        pos += out.write(b, pos);
                    }
                    out.force(true);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, 2.0 * len / s / 1e9);
            }
        } finally {
            Files.deleteIfExists(dst);
        }
        log.printf("file copy (page-cached file -> new file + fsync): %.2f GB/s of read + written%n", best);
        return best;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
