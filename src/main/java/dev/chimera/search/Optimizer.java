package dev.chimera.search;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * An evolutionary algorithm driven by ask/tell, so a coordinator can hand candidates to many workers and collect
 * results in any order. All objectives are maximised.
 *
 * <p>Contract shared by every implementation:
 * <ul>
 *   <li>{@link #ask(int)} returns up to {@code max} candidates that can be evaluated now. Generational algorithms
 *       return the whole current generation's not-yet-handed-out candidates at once; a partially told
 *       generation never blocks asking for its remaining candidates. Empty means: wait for tells (or finished).</li>
 *   <li>{@link #tell(long, double[])} may come in any order and from any thread; ids not handed out, or told
 *       already, are ignored and return false (late duplicates from re-dispatched work).</li>
 *   <li>Determinism: for a seed, the sequence of candidates depends only on the objective values told, never on the
 *       order or thread they were told in (a generation advances once all its results are in, processed by id).</li>
 *   <li>{@link #snapshot()} captures the full state (including random generator state and candidates handed out
 *       but not yet told) as JSON; {@link Optimizers#restore} continues bit-exactly.</li>
 * </ul>
 * Implementations are thread-safe (methods synchronized).
 */
public interface Optimizer {
    /** Algorithm name, e.g. {@code cmaes}. */
    String name();

    Bounds bounds();

    int objectives();

    List<Candidate> ask(int max);

    boolean tell(long id, double[] objectives);

    /** Results told so far. */
    long evaluations();

    /** Completed generations (iterations for non-generational algorithms). */
    long generation();

    /**
     * The cohort of a candidate just asked for: the candidates whose results one step of the algorithm consumes
     * together (multi-fidelity evaluation decides per cohort). Default: the generation being handed out, which is
     * right for algorithms that hand out one generation at a time.
     */
    default long cohort(long candidateId) {
        return generation();
    }

    /** Best so far: the single best for one objective; the non-dominated set of all told results for several. */
    List<Evaluation> best();

    /** Full state as JSON, for checkpoints. Includes {@code "algorithm": name()}. */
    ObjectNode snapshot();
}
