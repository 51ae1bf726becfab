package dev.chimera.engine.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chimera.engine.actor.Protocol.CoordinatorCommand;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A coordinator that does not answer (moving to another node): JSON 503 with Retry-After, and clients retry. */
class ControlUnavailableTest {
    static ActorTestKit kit;
    static ControlServer server;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create();
        ActorRef<CoordinatorCommand> silent = kit.spawn(Behaviors.ignore());
        server = ControlServer.start(kit.system(), silent, "127.0.0.1", 0, "tok", Duration.ofMillis(300));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void aSilentCoordinatorGetsAJson503WithRetryAfter() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://" + server.address() + "/runs/current"))
                                .header("Authorization", "Bearer tok")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(503, r.statusCode());
        assertEquals("2", r.headers().firstValue("retry-after").orElse(""));
        JsonNode json = ControlServer.JSON.readTree(r.body());
        assertTrue(json.get("error").asText().startsWith("the coordinator did not answer within 0.3 s"), r.body());
        assertEquals(2, json.get("retry_after").asInt());
    }

    @Test
    void clientsRetryA503WithBackoffAndSayWhatTheyWaitFor() {
        List<String> notices = new ArrayList<>();
        ControlClient client = new ControlClient(server.address(), "tok", Duration.ofMillis(2500), notices::add);
        long t0 = System.nanoTime();
        ControlClient.ControlException e =
                assertThrows(ControlClient.ControlException.class, () -> client.status(null));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(503, e.status());
        // waits of 1 s, then what is left of the 2.5 s, each told
        assertTrue(notices.size() >= 1 && notices.size() <= 3, notices.toString());
        assertTrue(
                notices.get(0).contains("did not answer") && notices.get(0).endsWith("retrying in 1 s"),
                notices.get(0));
        assertTrue(seconds >= 2.5, "retried for the whole window: " + seconds);
        // a client without retries fails at once
        assertEquals(
                503,
                assertThrows(
                                ControlClient.ControlException.class,
                                () -> new ControlClient(server.address(), "tok").status(null))
                        .status());
    }
}
