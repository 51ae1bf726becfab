package dev.chimera.engine.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the journal says about a run: a pure value, updated by events ({@link #updated}); replaying the journal
 * ({@link #replay}) rebuilds it after a crash. Like the distributed-workers sample's {@code WorkState}, it holds no
 * references to actors, threads or files.
 */
public final class RunState {
    /**
     * A run's state: from the journal NEW, RUNNING, PAUSED, STOPPED, FINISHED or FAILED (a finished run whose
     * reason is a failure; it can be resumed); a coordinator also reports ENDING (outputs being written) and UNKNOWN
     * (no such run).
     */
    public enum Status {
        NEW,
        RUNNING,
        PAUSED,
        ENDING,
        STOPPED,
        FINISHED,
        FAILED,
        UNKNOWN;

        /** The run is over: stopped, finished or failed. */
        public boolean done() {
            return this == STOPPED || this == FINISHED || this == FAILED;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String runId;
    private final Status status;
    private final Map<Long, RunEvent.Evaluated> evaluated;
    private final List<RunEvent.GenerationDone> generations;
    private final int sessions;
    private final long activeMillis;
    private final long sessionStart;
    private final long lastTime;
    private final String finishReason;
    private final Fidelity fidelity;

    /**
     * Multi-fidelity progress: per candidate (negative ids: reference points) its answers so far over every rung
     * (per objective, item to 0/1), the highest rung it answered, the value told when its race ended, and (the
     * {@code irt} estimator) per cohort the reference rows of the fit its decisions used.
     */
    public record Fidelity(
            Map<Long, Map<String, Map<String, Integer>>> answers,
            Map<Long, Integer> rungs,
            Map<Long, RunEvent.Scored> scored,
            long items,
            Map<Long, List<Long>> fits,
            Map<String, Map<String, Map<String, Integer>>> models) {
        static final Fidelity EMPTY = new Fidelity(Map.of(), Map.of(), Map.of(), 0, Map.of(), Map.of());

        /** Per objective, each model of {@code run.models} that answered every item (by alias), as parents.json. */
        Fidelity modelAnswered(RunEvent.ModelAnswered m) {
            Map<String, Map<String, Map<String, Integer>>> out = new LinkedHashMap<>(models);
            for (Map.Entry<String, Map<String, Integer>> e : m.items().entrySet()) {
                Map<String, Map<String, Integer>> perModel =
                        new LinkedHashMap<>(out.getOrDefault(e.getKey(), Map.of()));
                perModel.putIfAbsent(m.model(), Collections.unmodifiableMap(new LinkedHashMap<>(e.getValue())));
                out.put(e.getKey(), Collections.unmodifiableMap(perModel));
            }
            return new Fidelity(answers, rungs, scored, items, fits, Collections.unmodifiableMap(out));
        }

        /** Whether model {@code alias} has answered. */
        public boolean answeredBy(String alias) {
            return models.values().stream().anyMatch(m -> m.containsKey(alias));
        }

        Fidelity answered(long id, int rung, Map<String, Map<String, Integer>> added) {
            Map<Long, Map<String, Map<String, Integer>>> a = new LinkedHashMap<>(answers);
            Map<String, Map<String, Integer>> mine = new LinkedHashMap<>(a.getOrDefault(id, Map.of()));
            long n = 0;
            for (Map.Entry<String, Map<String, Integer>> e : added.entrySet()) {
                Map<String, Integer> y = new LinkedHashMap<>(mine.getOrDefault(e.getKey(), Map.of()));
                y.putAll(e.getValue());
                mine.put(e.getKey(), Collections.unmodifiableMap(y));
                n += e.getValue().size();
            }
            a.put(id, Collections.unmodifiableMap(mine));
            Map<Long, Integer> r = new LinkedHashMap<>(rungs);
            r.merge(id, rung, Math::max);
            return new Fidelity(
                    Collections.unmodifiableMap(a), Collections.unmodifiableMap(r), scored, items + n, fits, models);
        }

        Fidelity scored(RunEvent.Scored s) {
            Map<Long, RunEvent.Scored> m = new LinkedHashMap<>(scored);
            m.putIfAbsent(s.id(), s);
            return new Fidelity(answers, rungs, Collections.unmodifiableMap(m), items, fits, models);
        }

        Fidelity fitted(RunEvent.Fitted f) {
            Map<Long, List<Long>> m = new LinkedHashMap<>(fits);
            m.putIfAbsent(f.cohort(), List.copyOf(f.references()));
            return new Fidelity(answers, rungs, scored, items, Collections.unmodifiableMap(m), models);
        }

        /** Answers of candidate {@code id} (empty if none). */
        public Map<String, Map<String, Integer>> of(long id) {
            return answers.getOrDefault(id, Map.of());
        }

        /** The highest rung candidate {@code id} answered, or -1. */
        public int rung(long id) {
            return rungs.getOrDefault(id, -1);
        }
    }

    private RunState(
            String runId,
            Status status,
            Map<Long, RunEvent.Evaluated> evaluated,
            List<RunEvent.GenerationDone> generations,
            int sessions,
            long activeMillis,
            long sessionStart,
            long lastTime,
            String finishReason) {
        this(
                runId,
                status,
                evaluated,
                generations,
                sessions,
                activeMillis,
                sessionStart,
                lastTime,
                finishReason,
                Fidelity.EMPTY);
    }

    private RunState(
            String runId,
            Status status,
            Map<Long, RunEvent.Evaluated> evaluated,
            List<RunEvent.GenerationDone> generations,
            int sessions,
            long activeMillis,
            long sessionStart,
            long lastTime,
            String finishReason,
            Fidelity fidelity) {
        this.fidelity = fidelity;
        this.runId = runId;
        this.status = status;
        this.evaluated = evaluated;
        this.generations = generations;
        this.sessions = sessions;
        this.activeMillis = activeMillis;
        this.sessionStart = sessionStart;
        this.lastTime = lastTime;
        this.finishReason = finishReason;
    }

    public static RunState empty() {
        return new RunState(null, Status.NEW, Map.of(), List.of(), 0, 0, 0, 0, null);
    }

    public static RunState replay(List<RunEvent> events) {
        RunState s = empty();
        for (RunEvent e : events) {
            s = s.updated(e);
        }
        return s;
    }

    /** The state after one more event. Evaluations of an id already journaled are ignored (first one wins). */
    public RunState updated(RunEvent e) {
        long t = Math.max(lastTime, e.time());
        if (e instanceof RunEvent.Started s) {
            // the previous session ended with its last event
            long closed = sessions == 0 ? 0 : activeMillis + Math.max(0, lastTime - sessionStart);
            return new RunState(
                    s.runId(),
                    Status.RUNNING,
                    evaluated,
                    generations,
                    sessions + 1,
                    closed,
                    s.time(),
                    t,
                    null,
                    fidelity);
        }
        if (e instanceof RunEvent.Evaluated ev) {
            if (evaluated.containsKey(ev.id())) {
                return withTime(t);
            }
            Map<Long, RunEvent.Evaluated> m = new LinkedHashMap<>(evaluated);
            m.put(ev.id(), ev);
            return new RunState(
                    runId,
                    status,
                    Collections.unmodifiableMap(m),
                    generations,
                    sessions,
                    activeMillis,
                    sessionStart,
                    t,
                    finishReason,
                    fidelity.answered(ev.id(), ev.rung(), ev.items()));
        }
        if (e instanceof RunEvent.Refined r) {
            if (fidelity.rung(r.id()) >= r.rung()) {
                return withTime(t);
            }
            return withFidelity(t, fidelity.answered(r.id(), r.rung(), r.items()));
        }
        if (e instanceof RunEvent.Scored sc) {
            return withFidelity(t, fidelity.scored(sc));
        }
        if (e instanceof RunEvent.ModelAnswered m) {
            return withFidelity(t, fidelity.modelAnswered(m));
        }
        if (e instanceof RunEvent.Fitted f) {
            return withFidelity(t, fidelity.fitted(f));
        }
        if (e instanceof RunEvent.GenerationDone g) {
            List<RunEvent.GenerationDone> l = new ArrayList<>(generations);
            l.add(g);
            return new RunState(
                    runId,
                    status,
                    evaluated,
                    List.copyOf(l),
                    sessions,
                    activeMillis,
                    sessionStart,
                    t,
                    finishReason,
                    fidelity);
        }
        if (e instanceof RunEvent.Control c) {
            Status next = switch (c.action()) {
                case PAUSE -> status == Status.RUNNING ? Status.PAUSED : status;
                case RESUME -> status == Status.PAUSED ? Status.RUNNING : status;
                case STOP -> status == Status.FINISHED ? status : Status.STOPPED;
            };
            return new RunState(
                    runId,
                    next,
                    evaluated,
                    generations,
                    sessions,
                    activeMillis,
                    sessionStart,
                    t,
                    finishReason,
                    fidelity);
        }
        RunEvent.Finished f = (RunEvent.Finished) e;
        return new RunState(
                runId,
                f.failed() ? Status.FAILED : Status.FINISHED,
                evaluated,
                generations,
                sessions,
                activeMillis,
                sessionStart,
                t,
                f.reason(),
                fidelity);
    }

    private RunState withTime(long t) {
        return withFidelity(t, fidelity);
    }

    /** The same state at time {@code t} with multi-fidelity progress {@code f}. */
    private RunState withFidelity(long t, Fidelity f) {
        return new RunState(
                runId, status, evaluated, generations, sessions, activeMillis, sessionStart, t, finishReason, f);
    }

    public String runId() {
        return runId;
    }

    public Status status() {
        return status;
    }

    /** Journaled evaluations by candidate id, in journal order. */
    public Map<Long, RunEvent.Evaluated> evaluated() {
        return evaluated;
    }

    public List<RunEvent.GenerationDone> generations() {
        return generations;
    }

    public int sessions() {
        return sessions;
    }

    /** Running time over all sessions up to {@code now} (downtime between a crash and its resume not counted). */
    public long activeMillis(long now) {
        return sessions == 0 ? 0 : activeMillis + Math.max(0, now - sessionStart);
    }

    public String finishReason() {
        return finishReason;
    }

    /** Multi-fidelity progress (answers per candidate over all rungs, rungs reached, race results). */
    public Fidelity fidelity() {
        return fidelity;
    }
}
