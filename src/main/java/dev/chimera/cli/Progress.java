package dev.chimera.cli;

import java.io.PrintStream;

/** A one-line progress bar on stderr, redrawn at most every 100 ms; plain periodic lines when not a terminal. */
final class Progress {
    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean tty;
    private final long start = System.nanoTime();
    private long done;
    private long bytes;
    private long lastDraw;

    Progress(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.tty = System.console() != null;
    }

    synchronized void step(long moreBytes) {
        done++;
        bytes += moreBytes;
        long now = System.nanoTime();
        boolean last = done >= total;
        if (!last && now - lastDraw < (tty ? 100_000_000L : 5_000_000_000L)) {
            return;
        }
        lastDraw = now;
        double secs = (now - start) / 1e9;
        int width = 30;
        int filled = (int) (width * done / total);
        String bar = "#".repeat(filled) + " ".repeat(width - filled);
        String line = String.format("%s [%s] %d/%d  %.1f s", label, bar, done, total, secs)
                + (bytes > 0 && secs > 0 ? String.format("  %.0f MB/s", bytes / 1e6 / secs) : "");
        if (tty) {
            out.print("\r" + line + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }
}
