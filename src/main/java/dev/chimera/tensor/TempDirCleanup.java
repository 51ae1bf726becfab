package dev.chimera.tensor;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Deletes uncommitted output folders when the JVM exits (Ctrl-C, SIGTERM, System.exit), so an
 * interrupted merge leaves no half-written model behind. One hook serves all folders; it is
 * installed on first use.
 */
final class TempDirCleanup {
    private static final Set<OutputFolder> PENDING = ConcurrentHashMap.newKeySet();
    private static volatile boolean installed;

    private TempDirCleanup() {}

    static void register(OutputFolder folder) {
        install();
        PENDING.add(folder);
    }

    static void unregister(OutputFolder folder) {
        PENDING.remove(folder);
    }

    /** Whether a folder is still awaiting commit or abort (for tests). */
    static boolean isRegistered(OutputFolder folder) {
        return PENDING.contains(folder);
    }

    private static synchronized void install() {
        if (installed) {
            return;
        }
        Thread hook = new Thread(TempDirCleanup::runAll, "chimera-output-cleanup");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            return; // the folders will be aborted by their owners' close() or left for the user
        }
        installed = true;
    }

    private static void runAll() {
        for (OutputFolder folder : PENDING) {
            try {
                folder.abortFromShutdown();
            } catch (IOException | RuntimeException e) {
                // best effort; the JVM is exiting and logging may already be shut down
                System.err.println("chimera: could not delete " + folder.tempDir() + ": " + e);
            }
        }
    }
}
