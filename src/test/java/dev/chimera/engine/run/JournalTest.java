package dev.chimera.engine.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    static RunEvent.Evaluated ev(long id, double f) {
        return new RunEvent.Evaluated(
                1000 + id,
                id,
                new double[] {id, -id},
                new double[] {f},
                Map.of("t", Map.of("q" + id, 1)),
                "w",
                3,
                4,
                1);
    }

    @Test
    void roundTripsAndReplaysIntoAState(@TempDir Path dir) {
        try (Journal j = Journal.open(dir, true)) {
            j.append(new RunEvent.Started(1000, "r", "n", false));
            j.append(ev(0, 0.5));
            j.append(ev(1, 0.7));
            j.append(ev(1, 0.9)); // a duplicate that slipped through is ignored by the state
            j.append(new RunEvent.Control(1500, ControlAction.PAUSE));
            j.append(new RunEvent.GenerationDone(1600, 1, 2, new double[] {0.7}));
        }
        List<RunEvent> events = Journal.read(dir);
        assertEquals(6, events.size());
        RunState s = RunState.replay(events);
        assertEquals(RunState.Status.PAUSED, s.status());
        assertEquals(2, s.evaluated().size());
        assertEquals(0.7, s.evaluated().get(1L).objectives()[0]);
        assertEquals(1, s.generations().size());
        // active time: one session from 1000 to its last event at 1600, plus now - start
        assertEquals(600, s.activeMillis(1600));
    }

    @Test
    void controlActionsAreWordsAndAFailedEndIsFailed(@TempDir Path dir) throws Exception {
        try (Journal j = Journal.open(dir, true)) {
            j.append(new RunEvent.Started(1000, "r", "n", false));
            j.append(new RunEvent.Control(1100, ControlAction.STOP));
        }
        assertTrue(Files.readString(dir.resolve(Journal.FILE)).contains("\"action\":\"stop\""));
        assertEquals(RunState.Status.STOPPED, RunState.replay(Journal.read(dir)).status());
        assertEquals(ControlAction.RESUME, ControlAction.of("resume"));
        assertEquals(
                "unknown control action 'halt' (known: pause, resume, stop)",
                Assertions.assertThrows(RunException.class, () -> ControlAction.of("halt"))
                        .getMessage());
        RunState failed = RunState.replay(List.of(
                new RunEvent.Started(0, "r", "n", false),
                new RunEvent.Finished(10, "failed: candidate 3 failed 3 times", true)));
        assertEquals(RunState.Status.FAILED, failed.status());
        assertTrue(failed.status().done());
        assertEquals(
                RunState.Status.FINISHED,
                RunState.replay(List.of(new RunEvent.Finished(10, "budget", false)))
                        .status());
    }

    @Test
    void activeTimeSkipsTheDowntimeBetweenSessions() {
        RunState s = RunState.replay(List.of(
                new RunEvent.Started(0, "r", "n", false),
                ev(0, 1), // last event of session 1 at 1000
                new RunEvent.Started(50_000, "r", "n", true)));
        assertEquals(1000 + 500, s.activeMillis(50_500));
        assertEquals(2, s.sessions());
    }

    @Test
    void aTornLastLineIsCutAndDamageElsewhereIsNamed(@TempDir Path dir) throws Exception {
        try (Journal j = Journal.open(dir, false)) {
            j.append(ev(0, 0.5));
            j.append(ev(1, 0.6));
        }
        Path f = dir.resolve(Journal.FILE);
        Files.writeString(
                f,
                "{\"type\":\"evaluated\",\"time\":3,\"id\":2,\"gen",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        assertEquals(2, Journal.read(dir).size());
        // appending after a crash starts on a fresh line
        try (Journal j = Journal.open(dir, false)) {
            j.append(ev(2, 0.8));
        }
        assertEquals(3, Journal.read(dir).size());
        List<String> lines = Files.readAllLines(f);
        lines.set(1, "{not json");
        Files.write(f, lines);
        String msg = assertThrows(RunException.class, () -> Journal.read(dir)).getMessage();
        assertTrue(msg.contains("line 2 is damaged"), msg);
    }
}
