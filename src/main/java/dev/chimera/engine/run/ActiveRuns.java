package dev.chimera.engine.run;

import dev.chimera.tensor.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The runs a cluster's coordinator is running, one file per run in a folder every node can read
 * ({@code chimera.engine.active-runs}; a shared file system for several machines): its name is the run id, its content
 * the run folder. A coordinator registers a run when it opens it and removes it when the run ends or is stopped; a
 * coordinator that starts (the singleton moved after its node died) continues the runs it finds, from their folders.
 */
public final class ActiveRuns {
    private final Path dir;

    public ActiveRuns(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public void register(String runId, Path runDir) {
        AtomicFiles.writeString(dir.resolve(runId), runDir.toAbsolutePath().toString() + "\n");
    }

    public void remove(String runId) {
        try {
            Files.deleteIfExists(dir.resolve(runId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir.resolve(runId) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Run folders to continue, oldest registration first: entries whose folder holds a journal that has not
     * finished. Entries of runs that finished or whose folder is gone are removed.
     */
    public List<Path> unfinished() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted((a, b) ->
                            Long.compare(a.toFile().lastModified(), b.toFile().lastModified()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        List<Path> out = new ArrayList<>();
        for (Path entry : entries) {
            try {
                Path runDir =
                        Path.of(Files.readString(entry, StandardCharsets.UTF_8).trim());
                RunState state =
                        Files.exists(runDir.resolve(Journal.FILE)) ? RunState.replay(Journal.read(runDir)) : null;
                if (state == null
                        || state.status() == RunState.Status.FINISHED
                        || state.status() == RunState.Status.STOPPED) {
                    Files.deleteIfExists(entry);
                } else {
                    out.add(runDir);
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable entry or journal: left for an operator (chimera resume names the problem)
            }
        }
        return out;
    }
}
