package dev.chimera.engine.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chimera.engine.actor.Protocol;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Talks to a node's {@link ControlServer}: what {@code chimera pause|resume|stop|status|run --node} use. */
public final class ControlClient {
    private final String base;
    private final String token;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public ControlClient(String hostPort, String token) {
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
            JsonNode json = ControlServer.JSON.readTree(r.body());
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
