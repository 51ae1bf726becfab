package dev.chimera.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak resident memory of this process (VmHWM from /proc/self/status, Linux). */
final class PeakMemory {
    private PeakMemory() {
    }

    static long peakBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static String describe() {
        long b = peakBytes();
        return b < 0 ? "n/a" : String.format("%.0f MB", b / 1e6);
    }
}
