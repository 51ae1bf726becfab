package dev.chimera.engine.run;

import dev.chimera.search.Candidate;
import dev.chimera.search.DedupingSearch;
import dev.chimera.search.Evaluation;
import dev.chimera.search.Optimizer;
import dev.chimera.search.Optimizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's search logic, without actors: the optimizer (wrapped so each distinct recipe is evaluated
 * once), the budget, and the candidates handed out but not yet answered.
 *
 * <p>Resuming replays the journal through a fresh optimizer made from the run's seed: it asks as the original
 * run did and tells each candidate its journaled result, so the optimizer ends in exactly the state it had; asked
 * candidates without a result are handed out again. Because the optimizers' candidate sequence depends only on
 * the values told (never on timing or order), a resumed run finishes with the same result as an uninterrupted one.
 */
public final class RunSearch {
    private final RunSpec spec;
    private final SearchSpace space;
    private final Optimizer optimizer;
    private final DedupingSearch search;
    private final Map<Long, Candidate> open = new LinkedHashMap<>();
    private final Map<Long, Long> cohortOf = new LinkedHashMap<>();
    private final Map<Long, List<Long>> cohorts = new LinkedHashMap<>();
    private long handedOut;
    private long generationsSeen;

    private RunSearch(RunSpec spec, SearchSpace space) {
        this.spec = spec;
        this.space = space;
        this.optimizer = Optimizers.create(
                spec.algorithm(), space.bounds(), spec.objectives().size(), spec.seed(), spec.algorithmSettings());
        this.search = spec.dedup() ? new DedupingSearch(optimizer, space::key) : null;
    }

    /**
     * A fresh search, or the journal's search replayed; {@code pending()} then holds the candidates whose results the
     * optimizer has not been told. The values told again are the journaled ones: a candidate's evaluation, or with
     * multi-fidelity its race's result ({@link RunEvent.Scored}).
     */
    public static RunSearch start(RunSpec spec, SearchSpace space, RunState journal) {
        RunSearch s = new RunSearch(spec, space);
        Map<Long, RunEvent.Evaluated> evaluated = journal.evaluated();
        Map<Long, double[]> done = new LinkedHashMap<>();
        if (spec.fidelity() != null) {
            journal.fidelity().scored().forEach((id, sc) -> done.put(id, sc.objectives()));
        } else {
            evaluated.forEach((id, e) -> {
                if (id >= 0) {
                    done.put(id, e.objectives());
                }
            });
        }
        // ask until every journaled candidate has been asked again (with multi-fidelity a candidate can be evaluated
        // and not yet told: its race was under way) and every journaled value told
        long lastJournaled =
                evaluated.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
        int told = 0;
        while (told < done.size() || s.handedOut <= lastJournaled) {
            List<Candidate> batch = s.next(Integer.MAX_VALUE, 0);
            if (batch.isEmpty()) {
                break;
            }
            boolean allKnown = true;
            for (Candidate c : batch) {
                RunEvent.Evaluated e = evaluated.get(c.id());
                if (e != null && !Arrays.equals(e.genes(), c.genes())) {
                    throw new RunException("the journal does not match this run: candidate " + c.id()
                            + " had other genes (was the run config or the algorithm changed?)");
                }
                double[] v = done.get(c.id());
                if (v == null) {
                    allKnown = false;
                    continue;
                }
                s.record(c.id(), v);
                told++;
            }
            if (!allKnown && s.handedOut > lastJournaled) {
                break;
            }
        }
        if (told < done.size()) {
            throw new RunException(
                    "the journal holds " + (done.size() - told) + " result(s) this run's optimizer never asked for"
                            + " (was the run config or the algorithm changed?)");
        }
        // the generations the replay completed were journaled by the session that completed them
        s.generationsSeen = s.optimizer.generation();
        return s;
    }

    /**
     * Candidates to hand out now (at most {@code max}), within the budget. {@code activeMillis} is the run's
     * running time for the wall-clock budget (0 disables that check).
     */
    public List<Candidate> next(int max, long activeMillis) {
        if (max <= 0 || budgetReached(activeMillis) != null) {
            return List.of();
        }
        long cap = spec.budget().evaluations() > 0 ? spec.budget().evaluations() - handedOut : Long.MAX_VALUE;
        int n = (int) Math.min(max, cap);
        if (n <= 0) {
            return List.of();
        }
        List<Candidate> batch = search != null ? search.ask(n) : optimizer.ask(n);
        for (Candidate c : batch) {
            open.put(c.id(), c);
            long cohort = optimizer.cohort(c.id());
            cohortOf.put(c.id(), cohort);
            cohorts.computeIfAbsent(cohort, k -> new ArrayList<>()).add(c.id());
        }
        handedOut += batch.size();
        return batch;
    }

    /**
     * A result; false for unknown ids and late duplicates. Returns true when accepted; {@link #generationAdvanced()}
     * then tells whether a generation completed.
     */
    public boolean record(long id, double[] objectives) {
        if (open.remove(id) == null) {
            return false;
        }
        if (search != null) {
            search.tell(id, objectives);
        } else {
            optimizer.tell(id, objectives);
        }
        return true;
    }

    /** True once per completed generation. */
    public boolean generationAdvanced() {
        if (optimizer.generation() > generationsSeen) {
            generationsSeen = optimizer.generation();
            return true;
        }
        return false;
    }

    /** Why no new candidates may be asked, or null. */
    public String budgetReached(long activeMillis) {
        RunSpec.Budget b = spec.budget();
        if (b.generations() > 0 && optimizer.generation() >= b.generations()) {
            return "budget: " + b.generations() + " generations";
        }
        if (b.evaluations() > 0 && handedOut >= b.evaluations()) {
            return "budget: " + b.evaluations() + " evaluations";
        }
        if (b.wallClock() != null
                && activeMillis > 0
                && activeMillis >= b.wallClock().toMillis()) {
            return "budget: wall clock " + b.wallClock();
        }
        if (b.target() != null) {
            for (Evaluation e : optimizer.best()) {
                if (e.objective(0) >= b.target()) {
                    return "target " + b.target() + " reached";
                }
            }
        }
        return null;
    }

    /** The run is over: nothing open and nothing more may be asked (or the optimizer has nothing left). */
    public String finished(long activeMillis) {
        if (!open.isEmpty()) {
            return null;
        }
        String why = budgetReached(activeMillis);
        return why;
    }

    /** Candidates handed out and not yet answered, in hand-out order. */
    public List<Candidate> pending() {
        return new ArrayList<>(open.values());
    }

    /** The genes of a candidate handed out and not yet told, or null. */
    public Candidate open(long id) {
        return open.get(id);
    }

    /** The cohort candidate {@code id} was asked in ({@link Optimizer#cohort}), or -1 if it was never asked. */
    public long cohortOf(long id) {
        return cohortOf.getOrDefault(id, -1L);
    }

    /** Every candidate asked in a cohort (cache hits of the dedup wrapper are not asked), in id order. */
    public List<Long> cohort(long cohort) {
        return List.copyOf(cohorts.getOrDefault(cohort, List.of()));
    }

    /** Cohorts with a candidate not yet told, in order. */
    public List<Long> openCohorts() {
        return open.keySet().stream().map(cohortOf::get).distinct().sorted().toList();
    }

    /** Candidates of cohorts before {@code cohort}, and so their incumbents' pool. */
    public List<Long> before(long cohort) {
        List<Long> out = new ArrayList<>();
        cohorts.forEach((c, ids) -> {
            if (c < cohort) {
                out.addAll(ids);
            }
        });
        return out;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public SearchSpace space() {
        return space;
    }

    public long handedOut() {
        return handedOut;
    }

    public long cacheHits() {
        return search == null ? 0 : search.cacheHits();
    }
}
