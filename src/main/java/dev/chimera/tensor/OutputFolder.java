package dev.chimera.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An output directory that appears only when complete.
 *
 * <p>{@link #begin} creates a temporary sibling {@code .<name>.tmp-<random>} next to the target;
 * the caller writes everything there and calls {@link #commit()}, which renames it into place.
 * {@link #abort()} or {@link #close()} without commit deletes it, and so does a JVM shutdown hook
 * (Ctrl-C), so a failed or interrupted merge leaves no output folder.
 *
 * <p>With {@code force}, an existing target is moved aside, replaced and then deleted. To avoid
 * wiping an unrelated directory by a typo, force only replaces a directory that is empty or looks
 * like a model folder (holds {@code config.json} or a {@code .safetensors} file).
 *
 * <p>File-system failures are {@link UncheckedIOException}s with a message naming the path.
 */
public final class OutputFolder implements AutoCloseable {
    private enum State {
        OPEN,
        COMMITTING,
        DONE
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path target;
    private final Path tempDir;
    private final boolean force;
    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
    private volatile boolean committed;

    private OutputFolder(Path target, Path tempDir, boolean force) {
        this.target = target;
        this.tempDir = tempDir;
        this.force = force;
    }

    /**
     * Starts an output folder.
     *
     * @param target the directory to produce; its parent is created if needed
     * @param force replace an existing target on commit
     * @throws UncheckedIOException if the target exists and {@code force} is false (the message
     *     mentions --force), or the temporary directory cannot be created
     */
    public static OutputFolder begin(Path target, boolean force) {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || abs.getFileName() == null) {
            throw new IllegalArgumentException("output folder must have a parent directory: " + target);
        }
        checkReplaceable(abs, force);
        try {
            Files.createDirectories(parent);
            while (true) {
                Path temp = parent.resolve("." + abs.getFileName() + ".tmp-" + randomHex());
                try {
                    Files.createDirectory(temp);
                    OutputFolder folder = new OutputFolder(abs, temp, force);
                    TempDirCleanup.register(folder);
                    return folder;
                } catch (FileAlreadyExistsException collision) {
                    // another run picked the same random name: try again
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create a temporary output folder next to " + abs + ": " + e.getMessage(), e);
        }
    }

    private static void checkReplaceable(Path target, boolean force) {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!force) {
            throw new UncheckedIOException(
                    "output folder " + target + " already exists; use --force to replace it",
                    new FileAlreadyExistsException(target.toString()));
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) || !looksReplaceable(target)) {
            throw new UncheckedIOException(
                    "refusing to replace " + target + " even with --force: it is not an empty directory"
                            + " or a model folder (no config.json or .safetensors file); remove it yourself",
                    new FileAlreadyExistsException(target.toString()));
        }
    }

    private static boolean looksReplaceable(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            boolean empty = true;
            for (Path p : entries) {
                empty = false;
                String name = p.getFileName().toString();
                if (name.equals("config.json") || name.endsWith(".safetensors")) {
                    return true;
                }
            }
            return empty;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String randomHex() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The final location. */
    public Path target() {
        return target;
    }

    /** Where to write the output until {@link #commit()}. */
    public Path tempDir() {
        return tempDir;
    }

    /** Whether {@link #commit()} has succeeded. */
    public boolean isCommitted() {
        return committed;
    }

    /**
     * Moves the temporary directory to the target. With force, an existing target is first renamed
     * aside, and deleted only after the new folder is in place (put back if the rename fails).
     *
     * @throws IllegalStateException if already committed or aborted
     * @throws UncheckedIOException if the rename fails (the temporary directory is then deleted), or
     *     if the new output is in place but the replaced one could not be deleted
     */
    public void commit() {
        if (!state.compareAndSet(State.OPEN, State.COMMITTING)) {
            throw new IllegalStateException("output folder " + target + " was already committed or aborted");
        }
        Path old = null;
        try {
            checkReplaceable(target, force); // it may have appeared since begin()
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                old = target.resolveSibling("." + target.getFileName() + ".old-" + randomHex());
                move(target, old);
            }
            try {
                move(tempDir, target);
            } catch (IOException e) {
                if (old != null) {
                    move(old, target); // put the previous output back
                }
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            state.set(State.OPEN);
            abort();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot move " + tempDir + " to " + target + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        committed = true;
        state.set(State.DONE);
        TempDirCleanup.unregister(this);
        if (old != null) {
            try {
                FileTrees.deleteRecursively(old);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "new output is in place at " + target + " but the replaced folder " + old
                                + " could not be deleted: " + e.getMessage(),
                        e);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to); // same parent, so this is still a rename on sane file systems
        }
    }

    /**
     * Deletes the temporary directory unless committed. Safe to call more than once.
     *
     * @throws UncheckedIOException if the deletion fails
     */
    public void abort() {
        if (!state.compareAndSet(State.OPEN, State.DONE)) {
            return;
        }
        TempDirCleanup.unregister(this);
        try {
            FileTrees.deleteRecursively(tempDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + tempDir + ": " + e.getMessage(), e);
        }
    }

    /** Called by the shutdown hook; skips a folder that is mid-commit. */
    void abortFromShutdown() throws IOException {
        if (state.compareAndSet(State.OPEN, State.DONE)) {
            FileTrees.deleteRecursively(tempDir);
        }
    }

    /** Same as {@link #abort()}: without a commit, nothing is left behind. */
    @Override
    public void close() {
        abort();
    }

    @Override
    public String toString() {
        return "OutputFolder[" + target + " via " + tempDir + ", " + state.get() + "]";
    }
}
