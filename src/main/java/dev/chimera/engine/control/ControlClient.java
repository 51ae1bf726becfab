package dev.chimera.engine.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chimera.engine.actor.Protocol;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** Talks to a node's {@link ControlServer}: what {@code chimera pause|resume|stop|status|run --node} use. */
public final class ControlClient {
    private final String base;
    private final String token;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** How long 503 answers (coordinator moving) are retried, and who hears about each wait. */
    private final Duration retryFor;

    private final Consumer<String> notice;

    /** A client that does not retry. */
    public ControlClient(String hostPort, String token) {
        this(hostPort, token, Duration.ZERO, m -> {});
    }

    /**
     * A client that retries 503 answers (the coordinator is moving to another node) with backoff for up to {@code
     * retryFor}, telling {@code notice} what it waits for.
     */
    public ControlClient(String hostPort, String token, Duration retryFor, Consumer<String> notice) {
        this.retryFor = retryFor;
        this.notice = notice;
        if (!hostPort.matches("[^:/]+:\\d+")) {
            throw new IllegalArgumentException(
                    "--node must be HOST:PORT of a node's control endpoint, got '" + hostPort + "'");
        }
        this.base = "http://" + hostPort;
        this.token = token;
    }

    /** A request the node answered with an error status. */
    public static final class ControlException extends RuntimeException {
        private final int status;

        ControlException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public Protocol.SubmitReply submit(String config, String runDir) {
        Map<String, String> body = config != null ? Map.of("config", config) : Map.of("runDir", runDir);
        return call("POST", "/runs", body, Protocol.SubmitReply.class);
    }

    public Protocol.Status status(String runId) {
        return call("GET", "/runs/" + (runId == null ? "current" : runId), null, Protocol.Status.class);
    }

    public Protocol.ClusterView cluster() {
        return call("GET", "/cluster", null, Protocol.ClusterView.class);
    }

    public Protocol.Status control(String runId, String action) {
        return call("POST", "/runs/" + runId + "/" + action, Map.of(), Protocol.Status.class);
    }

    private <T> T call(String method, String path, Object body, Class<T> type) {
        long end = System.nanoTime() + retryFor.toNanos();
        long waitMillis = 1000;
        while (true) {
            try {
                return once(method, path, body, type);
            } catch (ControlException e) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (e.status() != 503 || left <= 0) {
                    throw e;
                }
                long wait = Math.min(waitMillis, left);
                notice.accept(e.getMessage() + "; retrying in " + (wait + 999) / 1000 + " s");
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ControlException(0, "interrupted");
                }
                waitMillis = Math.min(waitMillis * 2, 8000);
            }
        }
    }

    private <T> T once(String method, String path, Object body, Class<T> type) {
        try {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(10));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(
                                method,
                                HttpRequest.BodyPublishers.ofByteArray(ControlServer.JSON.writeValueAsBytes(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 401) {
                throw new ControlException(
                        401,
                        "the node at " + base + " refused the token (401): pass --token, set CHIMERA_TOKEN,"
                                + " or use the node's token file (chimera.control.token-file)");
            }
            JsonNode json;
            try {
                json = ControlServer.JSON.readTree(r.body());
            } catch (JsonProcessingException notJson) {
                // an answer from the HTTP layer itself (a time-out, a proxy): the node was reached
                String text = r.body().length() > 200 ? r.body().substring(0, 200) + "..." : r.body();
                throw new ControlException(
                        r.statusCode(), "node " + base + " answered " + r.statusCode() + ": " + text);
            }
            if (r.statusCode() >= 400 && (json == null || !json.has("runId") && !json.has("ok"))) {
                throw new ControlException(
                        r.statusCode(),
                        "node " + base + " answered " + r.statusCode() + ": "
                                + (json != null && json.has("error")
                                        ? json.get("error").asText()
                                        : r.body()));
            }
            return ControlServer.JSON.treeToValue(json, type);
        } catch (IOException e) {
            throw new ControlException(0, "cannot reach the node at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(0, "interrupted");
        }
    }
}
