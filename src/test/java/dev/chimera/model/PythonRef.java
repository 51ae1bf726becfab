package dev.chimera.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs Python reference scripts for the model tests. */
public final class PythonRef {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private PythonRef() {}

    /** True when {@code python -c code} exits 0 within a minute. */
    public static boolean works(String python, String code) {
        try {
            Process p = new ProcessBuilder(python, "-c", code)
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The numpy reference script, from the test resources. */
    static Path referenceScript() throws Exception {
        return Path.of(PythonRef.class.getResource("/model/reference_llama.py").toURI());
    }

    /** Runs a command, writes {@code request} as JSON to its stdin, parses its stdout as JSON. */
    static JsonNode run(List<String> command, Object request) throws Exception {
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        try (OutputStream in = p.getOutputStream()) {
            in.write(MAPPER.writeValueAsBytes(request));
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python timed out: " + command);
        }
        String stdout = new String(out.get(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("python failed (" + p.exitValue() + "): " + command + "\n"
                    + new String(err.get(), StandardCharsets.UTF_8));
        }
        return MAPPER.readTree(stdout);
    }

    static List<String> command(String python, Path script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Path writeScript(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
