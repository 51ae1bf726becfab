package dev.chimera.engine.control;

import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.RunState;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Follows a run until it is done, redrawing one status line (or printing one every 10 s when not a terminal); shared
 * by {@code chimera run}, the control commands and the demo.
 */
public final class RunFollower {
    private RunFollower() {}

    public static Protocol.Status follow(Supplier<Protocol.Status> status, PrintStream out)
            throws InterruptedException {
        boolean tty = System.console() != null;
        long lastPrint = 0;
        String last = "";
        while (true) {
            Protocol.Status s = status.get();
            String line = line(s);
            long now = System.nanoTime();
            if (s.done() || (tty ? !line.equals(last) : now - lastPrint > 10_000_000_000L)) {
                out.print(tty ? "\r" + line + "   " : line + "\n");
                out.flush();
                lastPrint = now;
                last = line;
            }
            if (s.done()) {
                if (tty) {
                    out.println();
                }
                return s;
            }
            Thread.sleep(500);
        }
    }

    public static String line(Protocol.Status s) {
        double util = s.workers().stream()
                .mapToDouble(Protocol.WorkerStatus::utilisation)
                .average()
                .orElse(0);
        return String.format(
                Locale.ROOT,
                "%s %s | gen %d | %d evals (%d in flight, %d cached) | best %s%s | %.1f/min | %d workers %.0f%% busy | %.0f s",
                s.runId(),
                s.state().word(),
                s.generation(),
                s.evaluations(),
                s.inFlight(),
                s.cacheHits(),
                best(s.best()),
                fidelity(s),
                s.evaluationsPerMinute(),
                s.workers().size(),
                util * 100,
                s.elapsedSeconds());
    }

    /** Items spent and, once candidates reached the whole split, the fidelity estimator's error on them. */
    private static String fidelity(Protocol.Status s) {
        if (s.items() <= 0) {
            return "";
        }
        return String.format(
                Locale.ROOT,
                " | %d items%s",
                s.items(),
                Double.isNaN(s.estimatorError())
                        ? ""
                        : String.format(Locale.ROOT, ", estimator error %.1f pts", 100 * s.estimatorError()));
    }

    public static String best(double[] b) {
        return b.length == 0
                ? "-"
                : Arrays.stream(b)
                        .mapToObj(v -> String.format(Locale.ROOT, "%.4f", v))
                        .reduce((x, y) -> x + "/" + y)
                        .orElse("-");
    }

    /** Exit code and closing words for a finished run. */
    public static int report(Protocol.Status s, PrintStream out) {
        out.printf("run %s %s: %s%n", s.runId(), s.state().word(), s.finishReason());
        out.printf(
                "evaluations %d, best %s%s, results in %s%n", s.evaluations(), best(s.best()), fidelity(s), s.runDir());
        if (s.state() == RunState.Status.STOPPED) {
            out.printf("continue it with: chimera resume %s%n", s.runDir());
        }
        return s.state() == RunState.Status.FAILED ? 1 : 0;
    }
}
