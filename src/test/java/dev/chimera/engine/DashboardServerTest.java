package dev.chimera.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.cli.CliRun;
import dev.chimera.engine.run.Journal;
import dev.chimera.engine.run.RunEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's server side on a running node: static pages and ECharts from the jar, the read-only API open on
 * loopback, actions still needing the token, and the event stream: the journal replayed with its sequence numbers,
 * then live events with none missing or repeated, the same views the journal file gives.
 */
class DashboardServerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static HttpResponse<String> get(Node node, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://" + node.controlAddress() + path))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** The data events of a run's stream until its "finished" event. */
    static List<JsonNode> readStream(Node node, String runId) throws Exception {
        HttpResponse<Stream<String>> sse = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://" + node.controlAddress() + "/api/runs/" + runId + "/events"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, sse.statusCode());
        List<JsonNode> events = new ArrayList<>();
        Iterator<String> lines = sse.body().iterator();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("data:")) {
                JsonNode e = JSON.readTree(line.substring(5).trim());
                events.add(e);
                if (e.get("type").asText().equals("finished")) {
                    break;
                }
            }
        }
        return events;
    }

    /**
     * The stream the journal file gives, view for view; read once the run is done (its journal closed: the
     * "finished" event reaches a page before the journal's writer has it on disk).
     */
    static void assertJournal(Node node, String runId, Path runDir, List<JsonNode> events) throws Exception {
        EngineTestSupport.await(node, runId, 60);
        List<RunEvent> journal = Journal.read(runDir);
        assertEquals(journal.size(), events.size());
        for (int i = 0; i < journal.size(); i++) {
            assertEquals(i, events.get(i).get("seq").asLong(), "sequence numbers without gaps or repeats");
            assertEquals(JSON.readTree(dev.chimera.engine.run.RunEventView.json(journal.get(i), i)), events.get(i));
        }
    }

    /** A page on a node that is not the coordinator's: live events cross the cluster through the topic. */
    @Test
    void streamOnAnotherNodeOfTheCluster(@TempDir Path tmp) throws Exception {
        try (Node first = Node.start(
                        EngineTestSupport.config(),
                        EngineTestSupport.localOptions("cpu").withControlPort(0).withToken("s3cret"));
                Node second = Node.start(
                        EngineTestSupport.config(),
                        EngineTestSupport.localOptions("cpu")
                                .withSeeds(List.of(first.clusterAddress()))
                                .withControlPort(0)
                                .withToken("s3cret"))) {
            ClusterRunTest.awaitMembers(first, 2);
            Path f = EngineTestSupport.syntheticRun(
                    tmp, "remote", 7, "cmaes", "population = 4", "evaluations = 40", "40ms");
            CliRun submit =
                    CliRun.of("run", f.toString(), "--node", first.controlAddress(), "--token", "s3cret", "--detach");
            assertEquals(0, submit.code(), submit.err());
            List<JsonNode> events = readStream(second, "remote"); // opened early: mostly live events
            assertJournal(first, "remote", tmp.resolve("out-remote"), events);
        }
    }

    @Test
    void pagesApiAndEventStream(@TempDir Path tmp) throws Exception {
        try (Node node = Node.start(
                EngineTestSupport.config(),
                EngineTestSupport.localOptions("cpu:2").withControlPort(0).withToken("s3cret"))) {
            Path f = EngineTestSupport.syntheticRun(
                    tmp, "dash", 5, "cmaes", "population = 4", "evaluations = 60", "30ms");
            CliRun submit =
                    CliRun.of("run", f.toString(), "--node", node.controlAddress(), "--token", "s3cret", "--detach");
            assertEquals(0, submit.code(), submit.err());
            while (node.status("dash").toCompletableFuture().get().evaluations() < 12) {
                Thread.sleep(20);
            }
            JsonNode runs = JSON.readTree(get(node, "/api/runs").body());
            assertEquals("dash", runs.get(0).get("runId").asText());
            JsonNode info = JSON.readTree(get(node, "/api/runs/current/info").body());
            assertEquals("f", info.get("objectives").get(0).get("name").asText());
            assertTrue(info.get("objectives").get(0).get("maximize").asBoolean());
            assertEquals(List.of("x0", "x1", "x2", "x3"), JSON.convertValue(info.get("genes"), List.class));
            assertEquals(60, info.get("budget").get("evaluations").asInt());
            assertEquals(404, get(node, "/api/runs/dash/recipe/0").statusCode(), "a box run has no recipe");
            // actions still need the token, even from loopback
            HttpResponse<String> pause = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://" + node.controlAddress() + "/runs/dash/pause"))
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(401, pause.statusCode());

            // the event stream: replay, then live, until the run finishes
            List<JsonNode> events = readStream(node, "dash");
            assertJournal(node, "dash", tmp.resolve("out-dash"), events);
            long evaluated = events.stream()
                    .filter(e -> e.get("type").asText().equals("evaluated"))
                    .count();
            assertEquals(60, evaluated);
            // pages and the chart library come from the jar; read-only views need no token on loopback
            HttpResponse<String> page = get(node, "/ui/");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<html"), page.body());
            HttpResponse<String> echarts = get(node, "/ui/vendor/echarts.min.js");
            assertEquals(200, echarts.statusCode());
            assertTrue(echarts.body().length() > 900_000);
        }
    }
}
