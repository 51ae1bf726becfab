package dev.chimera.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak memory of this process from /proc/self/status (Linux). VmHWM counts memory-mapped model pages too, which
 * are clean page cache the kernel can drop at any time; a sampler therefore also tracks the peak of RssAnon (the
 * heap and native buffers the merge really needs).
 */
final class PeakMemory {
    private static volatile long peakAnon;

    static {
        Thread t = new Thread(
                () -> {
                    while (true) {
                        peakAnon = Math.max(peakAnon, read("RssAnon:"));
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "chimera-memory-sampler");
        t.setDaemon(true);
        t.start();
    }

    private PeakMemory() {}

    /** Starts the sampler (class initialisation). */
    static void start() {}

    static long read(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static String describe() {
        long hwm = read("VmHWM:");
        long anon = Math.max(peakAnon, read("RssAnon:"));
        if (hwm < 0) {
            return "n/a";
        }
        return String.format(
                "%.0f MB (anonymous %.0f MB; the rest is memory-mapped model files)", hwm / 1e6, anon / 1e6);
    }
}
