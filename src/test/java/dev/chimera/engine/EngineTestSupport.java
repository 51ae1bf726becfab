package dev.chimera.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Run files and node helpers shared by the engine tests. */
public final class EngineTestSupport {
    private EngineTestSupport() {}

    /** Test config: free ports, quick failure detection, no journal fsync. */
    public static Config config() {
        return ConfigFactory.parseString("""
                chimera.engine.fsync = false
                # tests that want a coordinator to adopt runs turn it on with a folder of their own
                chimera.engine.adopt-runs = false
                chimera.engine.idle-poll = 200ms
                chimera.engine.tick = 100ms
                pekko.cluster.split-brain-resolver.stable-after = 3s
                pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
                pekko.cluster.failure-detector.heartbeat-interval = 300ms
                """).withFallback(Node.loadConfig(null));
    }

    public static Node.Options localOptions(String devices) {
        return Node.Options.defaults().withPort(0).withControlPort(-1).withDevices(List.of(devices));
    }

    /** A synthetic run file: a box genome, a sphere of fixed cost. */
    public static Path syntheticRun(
            Path dir, String name, long seed, String algorithm, String settings, String budget, String cost)
            throws IOException {
        Path f = dir.resolve(name + ".conf");
        Files.writeString(f, """
                run {
                  name = %s
                  output = "%s"
                  seed = %d
                  genome { type = box, dimension = 4, min = -1, max = 1 }
                  algorithm { name = %s, settings { %s } }
                  objectives = [ { name = f, synthetic = sphere, center = 0.3, cost = %s } ]
                  budget { %s }
                }
                """.formatted(name, dir.resolve("out-" + name), seed, algorithm, settings, cost, budget));
        return f;
    }

    public static String render(Path runFile) {
        return RunSpec.load(runFile).text();
    }

    /** Polls a node until its run is done. */
    public static Protocol.Status await(Node node, String runId, long seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Protocol.Status s = null;
        while (System.nanoTime() < end) {
            s = node.status(runId).toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (s.done()) {
                return s;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("run " + runId + " did not finish in " + seconds + " s; last status " + s);
    }

    /** Submits a run file to a node, waits for the run to end and returns its last status. */
    public static Protocol.Status runToEnd(Node node, Path runFile, String runId, long seconds) throws Exception {
        Protocol.SubmitReply r =
                node.submit(render(runFile), null).toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        if (!r.ok()) {
            throw new AssertionError("run " + runId + " refused: " + r.error());
        }
        return await(node, runId, seconds);
    }

    public static List<RunEvent.Evaluated> evaluated(List<RunEvent> events) {
        return events.stream()
                .filter(e -> e instanceof RunEvent.Evaluated)
                .map(e -> (RunEvent.Evaluated) e)
                .toList();
    }
}
