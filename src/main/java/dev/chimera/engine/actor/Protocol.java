package dev.chimera.engine.actor;

import dev.chimera.engine.run.ControlAction;
import dev.chimera.engine.run.RunSetup;
import dev.chimera.engine.run.RunState;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** The messages between the Coordinator, the workers (Mergers) and clients. All small immutable records. */
public final class Protocol {
    /** Mergers register under this key; the Coordinator subscribes to it. */
    public static final ServiceKey<WorkerCommand> WORKERS = ServiceKey.create(WorkerCommand.class, "chimera-merger");

    private Protocol() {}

    /** Everything the Coordinator understands. */
    public interface CoordinatorCommand {}

    /** Everything a Merger understands. */
    public interface WorkerCommand {}

    // ------------------------------------------------------------ worker -> coordinator

    /** A worker has {@code slots} free pipeline slots (absolute, so re-sending is harmless). */
    public record RequestWork(ActorRef<WorkerCommand> worker, String workerId, int slots)
            implements CoordinatorCommand, CborSerializable {}

    /** A job's result with its timings: the candidate's answers to the items of {@code rung} it was sent. */
    public record WorkDone(
            String runId,
            long candidateId,
            int rung,
            String workerId,
            double[] objectives,
            Map<String, Map<String, Integer>> items,
            long mergeMillis,
            long evalMillis)
            implements CoordinatorCommand, CborSerializable {}

    /**
     * A candidate failed on a worker. {@code refuseRun}: the worker cannot take part in this run at all (missing
     * model folder, unknown device); the coordinator stops sending it this run's work.
     */
    public record WorkFailed(String runId, long candidateId, int rung, String workerId, String error, boolean refuseRun)
            implements CoordinatorCommand, CborSerializable {}

    // ------------------------------------------------------------ coordinator -> worker

    /**
     * A job: build candidate {@code candidateId} and answer the items of fidelity rung {@code rung} it has not answered
     * at rung {@code from} (-1: a first evaluation, from the first item; see {@link RunSetup#slice}).
     */
    /** {@code model}: null for a candidate (its genes are merged), else the alias of a model of the run as it is. */
    public record Assign(
            String runId, long candidateId, double[] genes, RunSetup setup, int rung, int from, String model)
            implements WorkerCommand, CborSerializable {
        /** A first evaluation at the lowest rung. */
        public Assign(String runId, long candidateId, double[] genes, RunSetup setup) {
            this(runId, candidateId, genes, setup, 0, -1, null);
        }

        public Assign(String runId, long candidateId, double[] genes, RunSetup setup, int rung, int from) {
            this(runId, candidateId, genes, setup, rung, from, null);
        }
    }

    // ------------------------------------------------------------ clients -> coordinator

    /**
     * Starts a run from its rendered config ({@code spec}), or resumes the run in {@code runDir} (then spec is
     * null and the folder's own copy of the config is used).
     */
    public record Submit(String spec, String runDir, ActorRef<SubmitReply> replyTo)
            implements CoordinatorCommand, CborSerializable {}

    public record SubmitReply(boolean ok, String runId, String runDir, String error) implements CborSerializable {}

    /** pause, resume or stop. */
    public record Control(String runId, ControlAction action, ActorRef<Status> replyTo)
            implements CoordinatorCommand, CborSerializable {}

    public record GetStatus(String runId, ActorRef<Status> replyTo) implements CoordinatorCommand, CborSerializable {}

    /** The runs the coordinator knows: the active one and those that ended while it ran (the dashboard's list). */
    public record ListRuns(ActorRef<RunList> replyTo) implements CoordinatorCommand, CborSerializable {}

    public record RunList(List<Status> runs) implements CborSerializable {}

    /** What the dashboard draws a run with: its objectives, gene names, models and budget. */
    public record GetRunInfo(String runId, ActorRef<RunInfo> replyTo) implements CoordinatorCommand, CborSerializable {}

    /**
     * @param objectives the objectives' names (every objective is maximised)
     * @param genes gene names with the models written as their aliases
     * @param budgetEvaluations 0 when the budget does not count evaluations
     * @param parents per model alias that answered every objective's items (multi-fidelity runs), its objectives
     * @param error non-null when the run is not the active one
     */
    public record RunInfo(
            String runId,
            String runDir,
            List<String> objectives,
            List<String> genes,
            Map<String, String> models,
            long budgetEvaluations,
            long budgetGenerations,
            String algorithm,
            Map<String, double[]> parents,
            String error)
            implements CborSerializable {}

    /** The mergekit YAML of a candidate of the active run. */
    public record GetRecipe(String runId, long candidateId, ActorRef<Recipe> replyTo)
            implements CoordinatorCommand, CborSerializable {}

    public record Recipe(String yaml, String error) implements CborSerializable {}

    /**
     * A journal event of run {@code runId} as the dashboard shows it ({@code json}: RunEventView), published by the
     * coordinator on the {@link #RUN_EVENTS} topic; {@code seq} is its line in the journal.
     */
    public record RunUpdate(String runId, long seq, String json) implements CborSerializable {}

    /** The cluster-wide topic of {@link RunUpdate}s. */
    public static final String RUN_EVENTS = "chimera-run-events";

    /** The cluster as the coordinator sees it ({@code chimera cluster}). */
    public record GetCluster(ActorRef<ClusterView> replyTo) implements CoordinatorCommand, CborSerializable {}

    /**
     * @param coordinator the cluster address of the coordinator's node
     * @param members every member: address, status (up, joining, leaving, ...), roles, reachable by all others
     * @param workers every worker the coordinator knows (one per device of a node), busy when it holds a candidate
     * @param run the active run's id, or null
     */
    public record ClusterView(String coordinator, List<Member> members, List<WorkerSlot> workers, String run)
            implements CborSerializable {}

    public record Member(String address, String status, List<String> roles, boolean reachable)
            implements CborSerializable {}

    public record WorkerSlot(String id, String node, String device, int inFlight, String refused)
            implements CborSerializable {}

    /** A run as the coordinator sees it; {@code error} is set when the run id is unknown or a request was refused. */
    /**
     * @param items item evaluations so far (every rung; 0 when candidates are not scored on items)
     * @param estimatorError multi-fidelity: the mean absolute error of the first-rung estimate over the candidates
     *                       scored on the whole split so far (NaN before the first, or without multi-fidelity)
     */
    public record Status(
            String runId,
            RunState.Status state,
            String runDir,
            long generation,
            long evaluations,
            long inFlight,
            long cacheHits,
            double[] best,
            double evaluationsPerMinute,
            double elapsedSeconds,
            List<WorkerStatus> workers,
            String finishReason,
            String error,
            long items,
            double estimatorError,
            Map<String, Double> bestGenes)
            implements CborSerializable {
        public boolean done() {
            return state.done();
        }
    }

    /** Per-worker utilisation: its evaluator's busy time over the time since its first assignment in the run. */
    public record WorkerStatus(String id, long evaluated, double utilisation, String refused)
            implements CborSerializable {}
}
