package dev.chimera.engine.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The coordinator's dispatch rules, without actors or clocks: time is a number passed in. */
class DispatchTest {
    private static Dispatch.Job job(long id) {
        return new Dispatch.Job(id, new double[] {id}, 0, -1);
    }

    private static Dispatch.Key key(long id) {
        return new Dispatch.Key(id, 0);
    }

    /** Assigns until nobody wants work or the line is empty; returns the assignments in order. */
    private static List<Dispatch.Assignment> assignAll(Dispatch[] d, long now) {
        List<Dispatch.Assignment> out = new ArrayList<>();
        Dispatch.Assigned a;
        while ((a = d[0].assignNext(now)) != null) {
            d[0] = a.next();
            out.add(a.assignment());
        }
        return out;
    }

    @Test
    void workAPreviousSessionHandedOutIsOnItsSecondTry() {
        Dispatch[] d = {
            Dispatch.empty()
                    .requested("a", 3, true)
                    .enqueueTriedBefore(List.of(job(0)))
                    .enqueue(List.of(job(1)))
        };
        List<Dispatch.Assignment> as = assignAll(d, 0);
        assertEquals(
                List.of(2, 1), as.stream().map(Dispatch.Assignment::attempt).toList());
        // and it counts toward max-attempts: one failure more and a limit of 2 is reached
        assertTrue(d[0].failed(key(0), "a", "boom", false, 2).exhausted());
    }

    @Test
    void workersGetTheLineInOrderUpToTheirFreeSlots() {
        Dispatch[] d = {
            Dispatch.empty()
                    .requested("a", 2, true)
                    .requested("b", 1, true)
                    .enqueue(List.of(job(0), job(1), job(2), job(3)))
        };
        assertEquals(3, d[0].freeSlots());
        List<Dispatch.Assignment> as = assignAll(d, 100);
        assertEquals(List.of(0L, 1L, 2L), as.stream().map(x -> x.job().id()).toList());
        assertEquals(
                List.of("a", "a", "b"),
                as.stream().map(Dispatch.Assignment::worker).toList());
        assertEquals(0, d[0].freeSlots());
        assertEquals(
                List.of(job(3).key()),
                d[0].queue().stream().map(Dispatch.Job::key).toList());
        assertEquals(Set.of(key(0), key(1)), d[0].workers().get("a").inFlight());
        assertEquals(100, d[0].workers().get("a").firstAssigned());
        // a repeated request is absolute, not additive
        assertEquals(1, d[0].requested("b", 1, true).requested("b", 1, true).freeSlots());
    }

    @Test
    void aResultIsAcceptedOnceAndALateCopyIsADuplicate() {
        Dispatch[] d = {Dispatch.empty().requested("a", 1, true).enqueue(List.of(job(5)))};
        assignAll(d, 0);
        Dispatch.Completed c = d[0].completed(key(5), "a", 40);
        assertTrue(c.accepted());
        assertEquals(1, c.attempt());
        assertEquals(5, c.job().id());
        assertTrue(c.next().idle());
        assertEquals(1, c.next().workers().get("a").evaluated());
        assertEquals(40, c.next().workers().get("a").busyMillis());
        Dispatch.Completed again = c.next().completed(key(5), "a", 7);
        assertFalse(again.accepted());
        assertEquals(47, again.next().workers().get("a").busyMillis(), "a duplicate still took the worker's time");
        assertFalse(Dispatch.empty().completed(key(9), "x", 0).accepted(), "a job nobody asked for");
    }

    @Test
    void timedOutJobsGoBackFirstInTheirOrderAndTheFirstAnswerWins() {
        Dispatch[] d = {Dispatch.empty().requested("a", 2, true).enqueue(List.of(job(0), job(1), job(2)))};
        assignAll(d, 0);
        Dispatch.TimedOut t = d[0].timeouts(50, 100);
        assertTrue(t.late().isEmpty(), "not late yet");
        t = d[0].timeouts(101, 100);
        assertEquals(List.of(0L, 1L), t.late().stream().map(x -> x.job().id()).toList());
        d[0] = t.next();
        assertEquals(
                List.of(0L, 1L, 2L), d[0].queue().stream().map(Dispatch.Job::id).toList());
        assertTrue(d[0].workers().get("a").inFlight().isEmpty());
        // job 0 goes to b; a then answers it after all: a's answer is taken, b's later one is a duplicate
        d[0] = d[0].requested("b", 1, true);
        List<Dispatch.Assignment> as = assignAll(d, 200);
        assertEquals("b", as.get(0).worker());
        assertEquals(2, as.get(0).attempt(), "second hand-out of job 0");
        Dispatch.Completed fromA = d[0].completed(key(0), "a", 1);
        assertTrue(fromA.accepted());
        assertEquals(2, fromA.attempt());
        assertFalse(fromA.next().workers().get("b").inFlight().contains(key(0)));
        assertFalse(fromA.next().completed(key(0), "b", 1).accepted());
        // a result for a job waiting in line after a time-out takes it out of the line
        Dispatch.Completed fromLine = fromA.next().completed(key(1), "a", 1);
        assertTrue(fromLine.accepted());
        assertEquals(
                List.of(2L),
                fromLine.next().queue().stream().map(Dispatch.Job::id).toList());
    }

    @Test
    void failuresAreRetriedFirstUntilTheAttemptsRunOut() {
        Dispatch[] d = {Dispatch.empty().requested("a", 1, true).enqueue(List.of(job(0), job(1)))};
        for (int attempt = 1; attempt <= 2; attempt++) {
            Dispatch.Assignment as = assignAll(d, 0).get(0);
            assertEquals(0, as.job().id());
            assertEquals(attempt, as.attempt());
            Dispatch.Failed f = d[0].failed(key(0), "a", "boom", false, 3);
            assertFalse(f.exhausted());
            d[0] = f.next().requested("a", 1, true);
            assertEquals(0, d[0].queue().get(0).id(), "retried first");
        }
        assignAll(d, 0);
        Dispatch.Failed last = d[0].failed(key(0), "a", "boom", false, 3);
        assertTrue(last.exhausted());
        assertEquals(3, last.attempt());
        // a failure reported by a worker that no longer holds the job changes nothing
        assertEquals(0, Dispatch.empty().failed(key(4), "z", "late", false, 3).attempt());
    }

    @Test
    void aRefusingWorkerGetsNothingMoreAndItsJobIsNotCountedAsAnAttempt() {
        Dispatch[] d = {
            Dispatch.empty().requested("a", 2, true).requested("b", 1, true).enqueue(List.of(job(0)))
        };
        assignAll(d, 0);
        Dispatch.Failed f = d[0].failed(key(0), "a", "model folder missing", true, 3);
        assertEquals("model folder missing", f.refusal());
        d[0] = f.next().requested("a", 2, true);
        assertEquals(1, d[0].freeSlots(), "only b's slot counts");
        Dispatch.Assignment as = assignAll(d, 0).get(0);
        assertEquals("b", as.worker());
        assertEquals(1, as.attempt());
        assertEquals("model folder missing", d[0].workers().get("a").refused());
        assertEquals(0, d[0].newRun().workers().get("a").evaluated());
        assertNull(d[0].newRun().workers().get("a").refused(), "a new run is offered to every worker");
    }

    @Test
    void aListedWorkerThatLeavesHandsItsJobsBackFirst() {
        Dispatch[] d = {
            Dispatch.empty()
                    .requested("a", 2, false)
                    .requested("b", 1, false)
                    .enqueue(List.of(job(0), job(1), job(2), job(3)))
        };
        assignAll(d, 0);
        // b was never listed: missing from a listing it may simply be faster than the listing
        d[0] = d[0].listing(Set.of("a"));
        assertTrue(d[0].workers().containsKey("b"));
        d[0] = d[0].listing(Set.of("a", "b")).listing(Set.of("b"));
        assertFalse(d[0].workers().containsKey("a"));
        assertEquals(
                List.of(0L, 1L, 3L), d[0].queue().stream().map(Dispatch.Job::id).toList());
        assertEquals(Set.of(key(2)), d[0].inFlight().keySet());
    }

    @Test
    void aLateMessageOfAnEndedRunOnlyFreesItsWorker() {
        // run A's job 0 is on worker a when A ends; run B (ids from 0 again) hands its job 0 to b
        Dispatch[] d = {Dispatch.empty().requested("a", 1, true).enqueue(List.of(job(0)))};
        assignAll(d, 0);
        d[0] = d[0].withoutQueue().requested("b", 1, true);
        Dispatch b = d[0].newRun().requested("a", 0, true).enqueue(List.of(job(0)));
        d[0] = b;
        assignAll(d, 0);
        assertEquals("b", d[0].inFlight().get(key(0)).worker());
        // a's late answer for A's job 0 must leave B's job 0 in flight on b
        Dispatch after = d[0].forget("a", key(0));
        assertEquals("b", after.inFlight().get(key(0)).worker());
        assertTrue(after.completed(key(0), "b", 1).accepted());
    }

    @Test
    void promotionsAreJobsOfTheirOwnKey() {
        Dispatch.Job up = new Dispatch.Job(0, new double[] {0}, 1, 0);
        Dispatch[] d = {
            Dispatch.empty().requested("a", 2, true).enqueue(List.of(job(1))).enqueueFirst(List.of(up))
        };
        List<Dispatch.Assignment> as = assignAll(d, 0);
        assertEquals(
                List.of(new Dispatch.Key(0, 1), key(1)),
                as.stream().map(x -> x.job().key()).toList());
        assertFalse(d[0].completed(key(0), "a", 1).accepted(), "rung 0 of candidate 0 was not handed out");
        assertTrue(d[0].completed(new Dispatch.Key(0, 1), "a", 1).accepted());
    }
}
