package dev.chimera.engine.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.typesafe.config.Config;
import dev.chimera.ChimeraException;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.actor.Protocol.CoordinatorCommand;
import dev.chimera.engine.run.ControlAction;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunEventView;
import dev.chimera.engine.run.RunException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * The HTTP control endpoint of a node (JSON), and the dashboard. Every request except {@code GET /health} needs
 * {@code Authorization: Bearer <token>} (or {@code ?access_token=}), else 401 — except the read-only dashboard
 * ({@code /ui/}, {@code GET /api/...}) for clients on the loopback interface.
 * <pre>
 *   POST /runs                  {"config": "...HOCON..."} or {"runDir": "/path"} (resume)  -> submit reply
 *   GET  /runs/current          status of the active (or last) run
 *   GET  /runs/{id}             status
 *   POST /runs/{id}/pause|resume|stop                                                   -> status
 *   GET  /ui/                   the dashboard (static pages, ECharts from its WebJar)
 *   GET  /api/runs              the runs the coordinator knows (statuses)
 *   GET  /api/runs/{id}         status ({id} may be "current")
 *   GET  /api/runs/{id}/info    objectives, gene names, models, budget
 *   GET  /api/runs/{id}/recipe/{candidate}   mergekit YAML of a candidate
 *   GET  /api/runs/{id}/events  server-sent events: the journal replayed, then live (RunEventView JSON)
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
    static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    private ServerBinding binding;
    private ActorRef<DashboardHub.Command> hub;

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
        s.hub = system.systemActorOf(DashboardHub.create(), "dashboard-hub", Props.empty());
        try {
            s.binding = Http.get(system)
                    .newServerAt(host, port)
                    .adaptSettings(settings -> settings.withRemoteAddressAttribute(true))
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

    /** The dashboard's address. */
    public String dashboardUrl() {
        return "http://" + address() + "/ui/";
    }

    Route route() {
        return concat(
                path("health", () -> get(() -> complete("ok"))),
                extractRequest(request -> optionalHeaderValueByName(
                        "Authorization",
                        auth -> parameterOptional(
                                "access_token",
                                query -> guarded(auth.or(() -> query.map(t -> "Bearer " + t)), loopback(request))))));
    }

    /** Whether the request came over the loopback interface (read-only views need no token there). */
    private static boolean loopback(HttpRequest request) {
        return request.getAttribute(AttributeKeys.remoteAddress)
                .flatMap(RemoteAddress::getAddress)
                .map(InetAddress::isLoopbackAddress)
                .orElse(false);
    }

    private Route guarded(Optional<String> auth, boolean loopback) {
        Route views = concat(pathPrefix("ui", this::ui), pathPrefix("api", () -> get(this::api)));
        if (!authorised(auth)) {
            Route refused = complete(json(StatusCodes.UNAUTHORIZED, Map.of("error", "missing or wrong token")));
            return loopback ? concat(views, refused) : refused;
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
                views,
                pathPrefix("runs", () -> runs),
                path("cluster", () -> get(this::cluster)),
                complete(StatusCodes.NOT_FOUND, "unknown path"));
    }

    // ------------------------------------------------------------ dashboard

    private Route ui() {
        return concat(
                pathEnd(() -> redirect(Uri.create("/ui/"), StatusCodes.FOUND)),
                pathSingleSlash(() -> getFromResource("dev/chimera/ui/index.html")),
                path(PathMatchers.segment("vendor").slash("echarts.min.js"), () -> getFromResource(ECHARTS)),
                getFromResourceDirectory("dev/chimera/ui"),
                complete(StatusCodes.NOT_FOUND, "no such page"));
    }

    private Route api() {
        return pathPrefix(
                "runs",
                () -> concat(
                        pathEnd(this::runs),
                        path(PathMatchers.segment(), id -> status(id.equals("current") ? null : id)),
                        path(PathMatchers.segment().slash("info"), this::info),
                        path(PathMatchers.segment().slash("recipe").slash(PathMatchers.longSegment()), this::recipe),
                        path(PathMatchers.segment().slash("events"), this::events)));
    }

    /**
     * A live event as the next ones of the stream: dropped when already sent; when events before it never came (the
     * topic joins a node's hub a moment after the node starts), they are read from the journal, which holds them
     * by the time a later event is out (waiting briefly for the journal's writer if it does not yet).
     */
    private static List<String> inOrder(
            Protocol.RunUpdate u, java.util.concurrent.atomic.AtomicLong expected, Path runDir) {
        long next = expected.get();
        if (u.seq() < next) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int attempt = 0; next < u.seq() && attempt < 40; attempt++) {
            List<RunEvent> file = Journal.read(runDir);
            for (long i = next; i < Math.min(u.seq(), file.size()); i++) {
                out.add(RunEventView.json(file.get((int) i), i));
                next = i + 1;
            }
            if (next < u.seq()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        out.add(u.json());
        expected.set(u.seq() + 1);
        return out;
    }

    private Route runs() {
        return ask(
                (ActorRef<Protocol.RunList> r) -> new Protocol.ListRuns(r),
                askTimeout,
                l -> complete(json(StatusCodes.OK, l.runs())));
    }

    private Route info(String id) {
        return ask((ActorRef<Protocol.RunInfo> r) -> new Protocol.GetRunInfo(id, r), askTimeout, i -> {
            if (i.error() != null) {
                return complete(json(StatusCodes.NOT_FOUND, Map.of("error", i.error())));
            }
            Map<String, Object> budget = new java.util.LinkedHashMap<>();
            budget.put("evaluations", i.budgetEvaluations() > 0 ? i.budgetEvaluations() : null);
            budget.put("generations", i.budgetGenerations() > 0 ? i.budgetGenerations() : null);
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("runId", i.runId());
            out.put("runDir", i.runDir());
            out.put(
                    "objectives",
                    i.objectives().stream()
                            .map(o -> Map.of("name", o, "maximize", true))
                            .toList());
            out.put("genes", i.genes());
            out.put("models", i.models());
            out.put("budget", budget);
            out.put("algorithm", i.algorithm());
            out.put("parents", i.parents());
            return complete(json(StatusCodes.OK, out));
        });
    }

    private Route recipe(String id, Long candidate) {
        return ask(
                (ActorRef<Protocol.Recipe> r) -> new Protocol.GetRecipe(id, candidate, r),
                askTimeout,
                y -> complete(json(y.error() != null ? StatusCodes.NOT_FOUND : StatusCodes.OK, y)));
    }

    /** The run's journal replayed from its folder, then its live events, as server-sent events. */
    private Route events(String id) {
        return ask(
                (ActorRef<Protocol.Status> r) -> new Protocol.GetStatus(id.equals("current") ? null : id, r),
                askTimeout,
                s -> s.error() != null || s.runDir() == null
                        ? complete(json(StatusCodes.NOT_FOUND, Map.of("error", String.valueOf(s.error()))))
                        : completeOK(
                                eventSource(s.runId(), Path.of(s.runDir())), EventStreamMarshalling.toEventStream()));
    }

    private Source<ServerSentEvent, NotUsed> eventSource(String runId, Path runDir) {
        Pair<SourceQueueWithComplete<Protocol.RunUpdate>, Source<Protocol.RunUpdate, NotUsed>> live =
                Source.<Protocol.RunUpdate>queue(DashboardHub.KEPT, OverflowStrategy.dropHead())
                        .preMaterialize(system);
        CompletionStage<List<Protocol.RunUpdate>> registered = AskPattern.ask(
                hub,
                (ActorRef<List<Protocol.RunUpdate>> r) -> new DashboardHub.Register(runId, live.first(), r),
                askTimeout,
                system.scheduler());
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        CompletionStage<Source<ServerSentEvent, NotUsed>> whole = registered.thenApplyAsync(
                kept -> {
                    List<RunEvent> file = Journal.read(runDir);
                    List<String> out = new ArrayList<>(file.size() + kept.size());
                    for (int i = 0; i < file.size(); i++) {
                        out.add(RunEventView.json(file.get(i), i));
                    }
                    long next = file.size();
                    for (Protocol.RunUpdate u : kept) {
                        if (u.seq() >= next) {
                            out.add(u.json());
                            next = u.seq() + 1;
                        }
                    }
                    java.util.concurrent.atomic.AtomicLong expected = new java.util.concurrent.atomic.AtomicLong(next);
                    return Source.from(out)
                            .concat(live.second()
                                    .mapAsync(
                                            1,
                                            u -> CompletableFuture.supplyAsync(
                                                    () -> inOrder(u, expected, runDir), blocking))
                                    .mapConcat(l -> l))
                            .map(ServerSentEvent::create);
                },
                blocking);
        return Source.completionStageSource(whole)
                .keepAlive(Duration.ofSeconds(15), ServerSentEvent::heartbeat)
                .watchTermination((mat, done) -> {
                    done.whenComplete((d, e) -> hub.tell(new DashboardHub.Unregister(runId, live.first())));
                    return NotUsed.getInstance();
                });
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
