package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cli.CliRun;
import dev.chimera.engine.actor.Protocol;
import dev.chimera.engine.control.ControlClient;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import dev.chimera.engine.run.RunState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** pause / resume / stop / status through the CLI and the HTTP endpoint of a running node. */
class ControlEndpointTest {
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start(
                EngineTestSupport.config(),
                EngineTestSupport.localOptions("cpu:2").withControlPort(0).withToken("s3cret"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static int httpStatus(String path, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + node.controlAddress() + path))
                .GET();
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return HttpClient.newHttpClient()
                .send(b.build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    void requestsWithoutTheRightTokenGet401() throws Exception {
        assertEquals(200, httpStatus("/health", null));
        assertEquals(401, httpStatus("/runs/current", null));
        assertEquals(401, httpStatus("/runs/current", "Bearer wrong"));
        assertEquals(401, httpStatus("/runs/current", "s3cret"));
        ControlClient.ControlException e = assertThrows(
                ControlClient.ControlException.class,
                () -> new ControlClient(node.controlAddress(), "nope").status(null));
        assertEquals(401, e.status());
        CliRun r = CliRun.of("status", "--node", node.controlAddress(), "--token", "nope");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("401"), r.err());
    }

    @Test
    void pauseResumeStopFromTheCommandLine(@TempDir Path tmp) throws Exception {
        Path f =
                EngineTestSupport.syntheticRun(tmp, "ctl", 3, "cmaes", "population = 4", "generations = 1000", "100ms");
        String addr = node.controlAddress();
        CliRun submit = CliRun.of("run", f.toString(), "--node", addr, "--token", "s3cret", "--detach");
        assertEquals(0, submit.code(), submit.err());
        assertTrue(submit.out().contains("run ctl accepted"), submit.out());
        while (node.status("ctl").toCompletableFuture().get().evaluations() < 4) {
            Thread.sleep(20);
        }
        // pekko-http warns (and closes the connection) when a control request is answered before its body is read
        ch.qos.logback.classic.Logger pekko =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.pekko");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> warnings =
                new ch.qos.logback.core.read.ListAppender<>();
        warnings.start();
        pekko.addAppender(warnings);
        CliRun pause = CliRun.of("pause", "ctl", "--node", addr, "--token", "s3cret");
        assertEquals(0, pause.code(), pause.err());
        assertTrue(pause.out().contains("ctl paused"), pause.out());
        // in-flight candidates finish, then nothing moves
        Thread.sleep(600);
        long settled = node.status("ctl").toCompletableFuture().get().evaluations();
        assertEquals(0, node.status("ctl").toCompletableFuture().get().inFlight());
        Thread.sleep(600);
        assertEquals(settled, node.status("ctl").toCompletableFuture().get().evaluations());

        CliRun status = CliRun.of("status", "ctl", "--node", addr, "--token", "s3cret");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("worker chimera@"), status.out());

        assertEquals(
                0,
                CliRun.of("resume", "ctl", "--node", addr, "--token", "s3cret").code());
        long end = System.nanoTime() + 30_000_000_000L;
        while (node.status("ctl").toCompletableFuture().get().evaluations() <= settled && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertTrue(
                node.status("ctl").toCompletableFuture().get().evaluations() > settled, "resumed run makes progress");
        pekko.detachAppender(warnings);
        assertTrue(
                warnings.list.stream().noneMatch(e -> e.getFormattedMessage().contains("'early' response")),
                warnings.list.toString());

        CliRun stop = CliRun.of("stop", "ctl", "--node", addr, "--token", "s3cret");
        assertEquals(0, stop.code(), stop.err());
        Protocol.Status s = EngineTestSupport.await(node, "ctl", 30);
        assertEquals(RunState.Status.STOPPED, s.state());
        List<String> actions = Journal.read(tmp.resolve("out-ctl")).stream()
                .filter(e -> e instanceof RunEvent.Control)
                .map(e -> ((RunEvent.Control) e).action().word())
                .toList();
        assertEquals(List.of("pause", "resume", "stop"), actions);

        CliRun unknown = CliRun.of("pause", "nosuchrun", "--node", addr, "--token", "s3cret");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("no active run nosuchrun"), unknown.err());
    }
}
