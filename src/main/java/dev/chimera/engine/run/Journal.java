package dev.chimera.engine.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only journal of a run: one JSON event per line.
 *
 * <p>Appends never block the caller (the coordinator is an actor): lines go to a single writer thread that writes
 * whatever has queued up and forces it to disk once per batch (group commit). A crash can lose only the last,
 * not yet forced events; their candidates are evaluated again on resume. Reading tolerates a torn last line (the
 * crash happened mid-write) and refuses damage anywhere else, naming the line.
 */
public final class Journal implements AutoCloseable {
    public static final String FILE = "journal.jsonl";
    static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private final Path file;
    private final FileChannel channel;
    private final ThreadPoolExecutor writer;
    private final boolean fsync;
    private final java.util.concurrent.atomic.AtomicLong size;
    private volatile IOException failure;

    private Journal(Path file, boolean fsync, long lines) throws IOException {
        this.file = file;
        this.fsync = fsync;
        this.size = new java.util.concurrent.atomic.AtomicLong(lines);
        this.channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "chimera-journal");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens (creating if absent) a run folder's journal for appending; a torn last line is cut off first. */
    public static Journal open(Path runDir, boolean fsync) {
        Path f = runDir.resolve(FILE);
        try {
            truncateTornTail(f);
            long lines = 0;
            if (Files.exists(f)) {
                try (var s = Files.lines(f, StandardCharsets.UTF_8)) {
                    lines = s.count();
                }
            }
            return new Journal(f, fsync, lines);
        } catch (IOException e) {
            throw new RunException("cannot open journal " + f + ": " + e.getMessage(), e);
        }
    }

    /** Events in the journal, queued ones included: the next event's line index (its sequence number). */
    public long size() {
        return size.get();
    }

    /** Queues one event; returns when it is on disk (callers normally ignore it). */
    public CompletableFuture<Void> append(RunEvent event) {
        byte[] line;
        try {
            line = (JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new RunException("cannot encode journal event " + event + ": " + e.getMessage(), e);
        }
        size.incrementAndGet();
        return CompletableFuture.runAsync(() -> write(line), writer);
    }

    private void write(byte[] line) {
        if (failure != null) {
            return;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            if (fsync && writer.getQueue().isEmpty()) {
                channel.force(false);
            }
        } catch (IOException e) {
            failure = e;
            LOG.error("journal {} cannot be written: {}", file, e.getMessage());
        }
    }

    /** The first write error, if any: a run whose journal fails must stop. */
    public IOException failure() {
        return failure;
    }

    /** Waits until everything queued is on disk. */
    public void flush() {
        try {
            CompletableFuture.runAsync(
                            () -> {
                                try {
                                    channel.force(false);
                                } catch (IOException e) {
                                    failure = e;
                                }
                            },
                            writer)
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new RunException("journal " + file + " did not flush: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        flush();
        writer.shutdown();
        try {
            channel.close();
        } catch (IOException e) {
            throw new RunException("cannot close journal " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads every event of a run folder's journal (empty if there is none). */
    public static List<RunEvent> read(Path runDir) {
        Path f = runDir.resolve(FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new RunException("cannot read journal " + f + ": " + e.getMessage(), e);
        }
        boolean complete = endsWithNewline(f);
        List<RunEvent> events = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                events.add(JSON.readValue(line, RunEvent.class));
            } catch (IOException e) {
                if (i == lines.size() - 1 && !complete) {
                    LOG.warn("journal {}: ignoring a torn last line {} (the run stopped mid-write)", f, i + 1);
                    break;
                }
                throw new RunException("journal " + f + " line " + (i + 1) + " is damaged: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return events;
    }

    private static boolean endsWithNewline(Path f) {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            if (ch.size() == 0) {
                return true;
            }
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, ch.size() - 1);
            return b.get(0) == '\n';
        } catch (IOException e) {
            return false;
        }
    }

    /** A line without its newline is a torn write; cut it so new events start on a line of their own. */
    private static void truncateTornTail(Path f) throws IOException {
        if (!Files.exists(f) || endsWithNewline(f)) {
            return;
        }
        byte[] all = Files.readAllBytes(f);
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n') {
            end--;
        }
        LOG.warn("journal {}: cutting a torn last line ({} bytes)", f, all.length - end);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(end);
            ch.force(false);
        }
    }
}
