package dev.chimera.engine.actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.chimera.engine.Node;
import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.run.RunState;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every message that crosses the network round-trips through Jackson CBOR; Java serialization is off. */
class MessageSerializationTest {
    static final ActorTestKit KIT = ActorTestKit.create(
            ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0").withFallback(Node.loadConfig(null)));

    @AfterAll
    static void down() {
        KIT.shutdownTestKit();
    }

    static Object roundTrip(Object m) {
        Serialization s = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        Serializer ser = s.findSerializerFor(m);
        assertEquals(
                "org.apache.pekko.serialization.jackson.JacksonCborSerializer",
                ser.getClass().getName(),
                m.getClass().getName());
        byte[] bytes = s.serialize(m).get();
        return s.deserialize(bytes, ser.identifier(), m.getClass().getName()).get();
    }

    static void same(Object a, Object b) throws Exception {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        // records with arrays compare by reference; compare their JSON trees instead (refs by path)
        assertEquals(json.valueToTree(strip(a)), json.valueToTree(strip(b)));
    }

    static Object strip(Object o) {
        return o instanceof Protocol.RequestWork r ? List.of(r.worker().path().toString(), r.workerId(), r.slots()) : o;
    }

    @Test
    void protocolMessagesRoundTrip() throws Exception {
        var probe = KIT.createTestProbe(Protocol.WorkerCommand.class);
        RunSetup setup = new RunSetup(
                "r",
                "run { name = r }",
                Map.of("t", List.of("q1", "q2")),
                Map.of("t", "{\"format\":1}"),
                Map.of("t", List.of(1, 2)));
        List<Object> messages = List.of(
                new Protocol.Assign("r", 7, new double[] {0.25, -1}, setup),
                new Protocol.Assign("r", 7, new double[] {0.25, -1}, setup, 1, 0),
                new Protocol.RequestWork(probe.getRef(), "host:1/cpu#0", 2),
                new Protocol.WorkDone(
                        "r", 7, 1, "w", new double[] {0.5}, Map.of("t", Map.of("q1", 1, "q2", 0)), 12, 34),
                new Protocol.WorkFailed("r", 7, 1, "w", "model folder missing", true),
                new Protocol.SubmitReply(true, "r", "/runs/r", null),
                new Protocol.Status(
                        "r",
                        RunState.Status.RUNNING,
                        "/runs/r",
                        3,
                        40,
                        2,
                        1,
                        new double[] {0.7},
                        12.5,
                        60,
                        List.of(new Protocol.WorkerStatus("w", 20, 0.97, null)),
                        null,
                        null,
                        1234,
                        0.031,
                        Map.of("weight[expert1].layers0-0.all", 0.93)));
        for (Object m : messages) {
            Object back = roundTrip(m);
            assertEquals(m.getClass(), back.getClass());
            if (m instanceof Protocol.RequestWork r) {
                assertEquals(r.worker(), ((Protocol.RequestWork) back).worker());
            }
            same(m, back);
        }
    }

    record Plain(String x) implements Serializable {}

    @Test
    void javaSerializationIsOff() {
        Serialization s = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        Exception e =
                assertThrows(Exception.class, () -> s.serialize(new Plain("x")).get());
        assertTrue(e.getMessage() != null, e.toString());
    }
}
