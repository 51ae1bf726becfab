package dev.chimera.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Whole-file writes through a temporary file and a rename, so a reader never sees a half-written file. */
public final class AtomicFiles {
  private AtomicFiles() {}

  public static void write(Path file, byte[] content) {
    Path abs = file.toAbsolutePath();
    Path tmp = null;
    try {
      Files.createDirectories(abs.getParent());
      tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
      Files.write(tmp, content);
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the write failure is the one worth reporting
        }
      }
      throw new UncheckedIOException("cannot write " + abs + ": " + e.getMessage(), e);
    }
  }

  public static void writeString(Path file, String content) {
    write(file, content.getBytes(StandardCharsets.UTF_8));
  }
}
