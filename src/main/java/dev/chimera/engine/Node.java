package dev.chimera.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.chimera.ChimeraException;
import dev.chimera.engine.actor.Coordinator;
import dev.chimera.engine.actor.Merger;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.actor.Protocol.CoordinatorCommand;
import dev.chimera.engine.control.ControlServer;
import dev.chimera.engine.run.ActiveRuns;
import dev.chimera.engine.run.ControlAction;
import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.work.Workload;
import dev.chimera.engine.work.Workloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * One Chimera node: a Pekko cluster member that can host the Coordinator singleton and runs one Merger/Evaluator
 * pair per device, plus the HTTP control endpoint. {@code chimera node}, {@code chimera join} and
 * {@code chimera run} (single-node) all start one of these.
 */
public final class Node implements AutoCloseable {
    /** How to start a node; null fields fall back to the config ({@code chimera.node.*}). */
    public record Options(
            List<String> devices,
            String host,
            Integer port,
            List<String> seeds,
            Integer controlPort,
            String token,
            BiFunction<RunSetup, String, Workload> workloads) {
        public static Options defaults() {
            return new Options(null, null, null, null, null, null, null);
        }

        public Options withDevices(List<String> d) {
            return new Options(d, host, port, seeds, controlPort, token, workloads);
        }

        public Options withPort(int p) {
            return new Options(devices, host, p, seeds, controlPort, token, workloads);
        }

        public Options withSeeds(List<String> s) {
            return new Options(devices, host, port, s, controlPort, token, workloads);
        }

        public Options withControlPort(int p) {
            return new Options(devices, host, port, seeds, p, token, workloads);
        }

        public Options withToken(String t) {
            return new Options(devices, host, port, seeds, controlPort, t, workloads);
        }

        public Options withWorkloads(BiFunction<RunSetup, String, Workload> w) {
            return new Options(devices, host, port, seeds, controlPort, token, w);
        }
    }

    private final ActorSystem<Void> system;
    private final ActorRef<CoordinatorCommand> coordinator;
    private final List<String> devices;
    private final ControlServer control;

    private Node(
            ActorSystem<Void> system,
            ActorRef<CoordinatorCommand> coordinator,
            List<String> devices,
            ControlServer control) {
        this.system = system;
        this.coordinator = coordinator;
        this.devices = devices;
        this.control = control;
    }

    /** Starts a node with the default config stack (see {@link #loadConfig}). */
    public static Node start(Options options) {
        return start(loadConfig(null), options);
    }

    /**
     * A node's config: system properties, then {@code file} (if any), then application.conf, then the node's Pekko
     * settings ({@code chimera-node.conf}), then every reference.conf.
     */
    public static Config loadConfig(Path file) {
        Config user = ConfigFactory.empty();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("config file " + file + " does not exist");
            }
            user = ConfigFactory.parseFile(file.toFile());
        }
        return ConfigFactory.defaultOverrides()
                .withFallback(user)
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.parseResources(Node.class.getClassLoader(), "chimera-node.conf"))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    public static Node start(Config base, Options o) {
        Config chimera = base.getConfig("chimera");
        List<String> devices = Devices.parse(o.devices() != null ? o.devices() : chimera.getStringList("node.devices"));
        String host = o.host() != null ? o.host() : chimera.getString("node.host");
        int port = o.port() != null ? o.port() : chimera.getInt("node.port");
        List<String> seeds = o.seeds() != null ? o.seeds() : chimera.getStringList("node.seeds");
        List<String> seedAddresses = new ArrayList<>();
        for (String s : seeds) {
            if (!s.matches("[^:/@]+:\\d+")) {
                throw new IllegalArgumentException("seed '" + s + "' must be HOST:PORT");
            }
            seedAddresses.add("pekko://chimera@" + s);
        }
        Config config = ConfigFactory.empty()
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedAddresses))
                .withFallback(base);
        CompletableFuture<ActorRef<CoordinatorCommand>> proxy = new CompletableFuture<>();
        int torchThreads = torchThreads(
                chimera.getInt("node.torch-threads"), Runtime.getRuntime().availableProcessors(), devices);
        BiFunction<RunSetup, String, Workload> workloads = o.workloads() != null
                ? o.workloads()
                : (setup, device) -> Workloads.create(setup, device, torchThreads);
        ActorSystem<Void> system = ActorSystem.create(guardian(config, devices, workloads, proxy), "chimera", config);
        try {
            if (config.getBoolean("chimera.node.bootstrap")) {
                // Kubernetes: Pekko Management's Cluster Bootstrap finds the other pods and forms the cluster
                PekkoManagement.get(system).start();
                ClusterBootstrap.get(system).start();
            } else if (seeds.isEmpty()) {
                Cluster cluster = Cluster.get(system);
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            ActorRef<CoordinatorCommand> coordinator = proxy.get(30, TimeUnit.SECONDS);
            int controlPort = o.controlPort() != null ? o.controlPort() : chimera.getInt("control.port");
            ControlServer control = null;
            if (controlPort >= 0) {
                String token =
                        o.token() != null ? o.token() : ControlServer.tokenFromConfig(chimera.getConfig("control"));
                control = ControlServer.start(
                        system,
                        coordinator,
                        chimera.getString("control.host"),
                        controlPort,
                        token,
                        chimera.getDuration("control.ask-timeout"));
            }
            return new Node(system, coordinator, devices, control);
        } catch (Exception e) {
            system.terminate();
            throw new IllegalStateException("node did not start: " + e.getMessage(), e);
        }
    }

    /**
     * libtorch intra-op threads for a node: {@code configured} when above 0, else the cores divided among the node's
     * cpu slots (at least 1), so that slots evaluating at once do not ask for more threads than there are cores.
     */
    public static int torchThreads(int configured, int cores, List<String> devices) {
        if (configured < 0) {
            throw new ChimeraException("chimera.node.torch-threads = " + configured + " must be >= 0 (0 = automatic)");
        }
        if (configured > 0) {
            return configured;
        }
        long cpuSlots = devices.stream().filter(d -> d.equals("cpu")).count();
        return (int) Math.max(1, cores / Math.max(1, cpuSlots));
    }

    /**
     * A node for a single-machine run ({@code chimera run}, {@code chimera demo}): as {@link #start(Config, Options)},
     * but when the configured control port is taken (another node on this machine) it takes any free one.
     */
    public static Node startLocal(Config base, Options o) {
        // a single-machine run belongs to its command: no other node adopts it, and it adopts nothing
        base = ConfigFactory.parseMap(Map.of("chimera.engine.adopt-runs", false))
                .withFallback(base);
        try {
            return start(base, o);
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("control endpoint")) {
                return start(base, o.withControlPort(0));
            }
            throw e;
        }
    }

    private static Behavior<Void> guardian(
            Config config,
            List<String> devices,
            BiFunction<RunSetup, String, Workload> workloads,
            CompletableFuture<ActorRef<CoordinatorCommand>> proxy) {
        return Behaviors.setup(ctx -> {
            Config e = config.getConfig("chimera.engine");
            String dispatcher = "chimera.engine.blocking-dispatcher";
            Coordinator.Settings cs = new Coordinator.Settings(
                    e.getDuration("work-timeout"),
                    e.getDuration("tick"),
                    e.getInt("max-attempts"),
                    e.getBoolean("fsync"),
                    dispatcher,
                    e.getBoolean("adopt-runs") ? new ActiveRuns(Path.of(e.getString("active-runs"))) : null);
            ActorRef<CoordinatorCommand> coordinator = ClusterSingleton.get(ctx.getSystem())
                    .init(SingletonActor.of(
                            Behaviors.supervise(Coordinator.create(cs)).onFailure(SupervisorStrategy.restart()),
                            "coordinator"));
            String address = ctx.getSystem().address().hostPort();
            for (int i = 0; i < devices.size(); i++) {
                String id = address + "/" + devices.get(i) + "#" + i;
                Merger.Settings ms = new Merger.Settings(
                        id,
                        devices.get(i),
                        e.getInt("pipeline-depth"),
                        e.getDuration("idle-poll"),
                        dispatcher,
                        workloads);
                ctx.spawn(Merger.create(ms, coordinator), "merger-" + i);
            }
            proxy.complete(coordinator);
            return Behaviors.empty();
        });
    }

    public ActorSystem<Void> system() {
        return system;
    }

    public List<String> devices() {
        return devices;
    }

    /** host:port of the HTTP control endpoint, or null when disabled. */
    public String controlAddress() {
        return control == null ? null : control.address();
    }

    public String token() {
        return control == null ? null : control.token();
    }

    /** host:port of this node's cluster address (what {@code chimera join --join} takes). */
    /**
     * Waits until this node is an Up member of its cluster (a seed answered and the leader admitted it); false when
     * {@code timeout} passed first (the node keeps trying to join).
     */
    public boolean awaitUp(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        Cluster cluster = Cluster.get(system);
        while (cluster.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Members of the cluster this node sees as Up (itself included once it is). */
    public int upMembers() {
        int n = 0;
        for (Member m : Cluster.get(system).state().getMembers()) {
            n += m.status() == MemberStatus.up() ? 1 : 0;
        }
        return n;
    }

    public String clusterAddress() {
        return system.address().getHost().get() + ":"
                + system.address().getPort().get();
    }

    public CompletionStage<Protocol.SubmitReply> submit(String spec, String runDir) {
        return AskPattern.ask(
                coordinator,
                (ActorRef<Protocol.SubmitReply> r) -> new Protocol.Submit(spec, runDir, r),
                Duration.ofMinutes(10),
                system.scheduler());
    }

    public CompletionStage<Protocol.Status> status(String runId) {
        return AskPattern.ask(
                coordinator,
                (ActorRef<Protocol.Status> r) -> new Protocol.GetStatus(runId, r),
                Duration.ofSeconds(30),
                system.scheduler());
    }

    /** The run's status, waited for (at most 30 s): for callers that poll from their own thread, never actors. */
    public Protocol.Status statusNow(String runId) {
        try {
            return status(runId).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking for the status of run " + runId, e);
        } catch (Exception e) {
            throw new IllegalStateException("lost the local coordinator: " + e.getMessage(), e);
        }
    }

    /** The cluster as the coordinator sees it. */
    public CompletionStage<Protocol.ClusterView> cluster() {
        return AskPattern.ask(
                coordinator,
                (ActorRef<Protocol.ClusterView> r) -> new Protocol.GetCluster(r),
                Duration.ofSeconds(30),
                system.scheduler());
    }

    public CompletionStage<Protocol.Status> control(String runId, ControlAction action) {
        return AskPattern.ask(
                coordinator,
                (ActorRef<Protocol.Status> r) -> new Protocol.Control(runId, action, r),
                Duration.ofSeconds(30),
                system.scheduler());
    }

    @Override
    public void close() {
        if (control != null) {
            control.close();
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // terminating anyway
        }
    }
}
