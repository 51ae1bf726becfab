package dev.chimera.estimate;

/**
 * One way of choosing the n items an objective's candidates answer (a run objective's {@code selector}), from the
 * parents' answers to every item. Called once per objective by the extract stage; deterministic for the seed.
 *
 * <p>Built-in ones are registered in {@link ItemSelector}; a plugin lists its classes (public, no-argument
 * constructor) in {@code META-INF/services/dev.chimera.estimate.ItemSelection}.
 */
public interface ItemSelection {
    /** The name a run file gives, e.g. {@code anchor-irt}. */
    String name();

    /**
     * @param context the reference responses and IRT fit ({@link ItemSelector#reference()}, {@link
     *     ItemSelector#irt()}) and the built-in selections to build on
     * @param n how many items, 1 &lt;= n &lt;= the item count
     * @param seed the run's seed for this objective
     * @return n distinct items and their weights (summing to 1)
     */
    Selection select(ItemSelector context, int n, long seed);
}
