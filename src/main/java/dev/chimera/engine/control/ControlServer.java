package dev.chimera.engine.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.typesafe.config.Config;
import dev.chimera.ChimeraException;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.actor.Protocol.CoordinatorCommand;
import dev.chimera.engine.run.ControlAction;
import dev.chimera.engine.run.RunException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The HTTP control endpoint of a node (JSON). Every request except {@code GET /health} needs
 * {@code Authorization: Bearer <token>}, else 401.
 * <pre>
 *   POST /runs                  {"config": "...HOCON..."} or {"runDir": "/path"} (resume)  -> submit reply
 *   GET  /runs/current          status of the active (or last) run
 *   GET  /runs/{id}             status
 *   POST /runs/{id}/pause|resume|stop                                                   -> status
 * </pre>
 */
public final class ControlServer extends AllDirectives implements AutoCloseable {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private final ActorSystem<?> system;
    private final ActorRef<CoordinatorCommand> coordinator;
    private final String token;
    /** How long a status or control request waits for the coordinator before answering 503. */
    private final Duration askTimeout;

    static final int RETRY_AFTER_SECONDS = 2;
    private ServerBinding binding;

    private ControlServer(
            ActorSystem<?> system, ActorRef<CoordinatorCommand> coordinator, String token, Duration askTimeout) {
        this.askTimeout = askTimeout;
        this.system = system;
        this.coordinator = coordinator;
        this.token = token;
    }

    public static ControlServer start(
            ActorSystem<?> system,
            ActorRef<CoordinatorCommand> coordinator,
            String host,
            int port,
            String token,
            Duration askTimeout) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the control endpoint needs a token (chimera.control.token)");
        }
        ControlServer s = new ControlServer(system, coordinator, token, askTimeout);
        try {
            s.binding = Http.get(system)
                    .newServerAt(host, port)
                    .bind(s.route())
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot bind the control endpoint to " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return s;
    }

    /**
     * The token a client sends: {@code chimera.control.token} (or CHIMERA_TOKEN), else the token file a node on this
     * machine wrote. A client never creates the file: without a token it stops with an error that says where to get one.
     */
    public static String clientToken(Config control) {
        String known = knownToken(control);
        if (known != null) {
            return known;
        }
        throw new ChimeraException("no control token: pass --token, set CHIMERA_TOKEN or chimera.control.token, or run"
                + " on the node's machine, where the node wrote its token to " + control.getString("token-file")
                + " (chimera.control.token-file, CHIMERA_TOKEN_FILE)");
    }

    /** The configured token, else the token file's (null when neither has one). */
    private static String knownToken(Config control) {
        String t = control.getString("token");
        if (!t.isBlank()) {
            return t;
        }
        Path file = Path.of(control.getString("token-file"));
        try {
            if (Files.isRegularFile(file)) {
                String existing = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!existing.isEmpty()) {
                    return existing;
                }
            }
            return null;
        } catch (IOException e) {
            throw new ChimeraException("cannot read the control token file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The node's token: the configured one, else the token file's, else a random one written to the token file. */
    public static String tokenFromConfig(Config control) {
        String known = knownToken(control);
        if (known != null) {
            return known;
        }
        Path file = Path.of(control.getString("token-file"));
        try {
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            String made = HexFormat.of().formatHex(b);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".token", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.writeString(tmp, made + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read or create the control token file " + file + ": " + e.getMessage(), e);
        }
    }

    /** host:port clients use; a wildcard bind (0.0.0.0) is reached locally at 127.0.0.1. */
    public String address() {
        var a = binding.localAddress();
        String host = a.getAddress() != null && a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getHostString();
        return host + ":" + a.getPort();
    }

    public String token() {
        return token;
    }

    Route route() {
        return concat(
                path("health", () -> get(() -> complete("ok"))),
                optionalHeaderValueByName("Authorization", this::guarded));
    }

    private Route guarded(Optional<String> auth) {
        if (!authorised(auth)) {
            return complete(json(StatusCodes.UNAUTHORIZED, Map.of("error", "missing or wrong token")));
        }
        Route runs = concat(
                pathEnd(() -> post(() -> entity(Unmarshaller.entityToString(), this::submit))),
                path(PathMatchers.segment(), id -> get(() -> status(id.equals("current") ? null : id))),
                path(
                        PathMatchers.segment().slash(PathMatchers.segment()),
                        // the body (empty or {}) is read before answering: an answer before the request's end makes
                        // pekko-http close the connection and log a warning
                        (id, action) ->
                                post(() -> entity(Unmarshaller.entityToString(), body -> control(id, action)))));
        return concat(
                pathPrefix("runs", () -> runs),
                path("cluster", () -> get(this::cluster)),
                complete(StatusCodes.NOT_FOUND, "unknown path"));
    }

    private boolean authorised(Optional<String> header) {
        if (header.isEmpty() || !header.get().startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.get().substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
    }

    private Route submit(String body) {
        JsonNode req;
        try {
            req = JSON.readTree(body);
        } catch (IOException e) {
            return complete(
                    json(StatusCodes.BAD_REQUEST, Map.of("error", "request body is not JSON: " + e.getMessage())));
        }
        String config = req.hasNonNull("config") ? req.get("config").asText() : null;
        String runDir = req.hasNonNull("runDir") ? req.get("runDir").asText() : null;
        if ((config == null) == (runDir == null)) {
            return complete(
                    json(StatusCodes.BAD_REQUEST, Map.of("error", "give exactly one of \"config\" or \"runDir\"")));
        }
        // opening a run (its extract stage included) may take minutes
        return ask(
                (ActorRef<Protocol.SubmitReply> r) -> new Protocol.Submit(config, runDir, r),
                Duration.ofMinutes(10),
                r -> complete(json(r.ok() ? StatusCodes.ACCEPTED : StatusCodes.CONFLICT, r)));
    }

    private Route cluster() {
        return ask(
                (ActorRef<Protocol.ClusterView> r) -> new Protocol.GetCluster(r),
                askTimeout,
                v -> complete(json(StatusCodes.OK, v)));
    }

    private Route status(String id) {
        return ask(
                (ActorRef<Protocol.Status> r) -> new Protocol.GetStatus(id, r),
                askTimeout,
                s -> complete(json(s.error() != null ? StatusCodes.NOT_FOUND : StatusCodes.OK, s)));
    }

    private Route control(String id, String word) {
        ControlAction action;
        try {
            action = ControlAction.of(word);
        } catch (RunException e) {
            return complete(json(StatusCodes.NOT_FOUND, Map.of("error", e.getMessage())));
        }
        return ask(
                (ActorRef<Protocol.Status> r) -> new Protocol.Control(id, action, r),
                askTimeout,
                s -> complete(json(s.error() != null ? StatusCodes.CONFLICT : StatusCodes.OK, s)));
    }

    /**
     * Asks the coordinator and answers with {@code ok}'s response; when no answer comes within {@code timeout} (the
     * singleton is moving to another node, or its node is unreachable) answers 503 with a JSON error and a
     * Retry-After header, well before the client's own HTTP time-out.
     */
    private <T> Route ask(Function<ActorRef<T>, CoordinatorCommand> message, Duration timeout, Function<T, Route> ok) {
        CompletionStage<T> reply = AskPattern.ask(coordinator, message::apply, timeout, system.scheduler());
        return onComplete(
                reply,
                t -> t.isSuccess()
                        ? ok.apply(t.get())
                        : complete(HttpResponse.create()
                                .withStatus(StatusCodes.SERVICE_UNAVAILABLE)
                                .addHeader(RetryAfter.create((long) RETRY_AFTER_SECONDS))
                                .withEntity(
                                        ContentTypes.APPLICATION_JSON,
                                        bytes(Map.of(
                                                "error",
                                                "the coordinator did not answer within "
                                                        + String.format(
                                                                Locale.ROOT, "%.1f", timeout.toMillis() / 1000.0)
                                                        + " s (it is moving to another node, or its node is unreachable)",
                                                "retry_after",
                                                RETRY_AFTER_SECONDS)))));
    }

    private static byte[] bytes(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse json(StatusCode code, Object body) {
        try {
            return HttpResponse.create()
                    .withStatus(code)
                    .withEntity(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (binding != null) {
            try {
                binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the actor system goes down next anyway
            }
        }
    }
}
