/**
 * Chimera as a library, without actors: a {@link dev.chimera.local.MergeProblem} (a genome and a fitness written as
 * a Java function of the merged model) searched by any {@link dev.chimera.search.Optimizer} with
 * {@link dev.chimera.local.LocalSearch}, one candidate at a time in this JVM, after Jenetics' {@code Problem} and
 * {@code Engine}. Merges are held in memory ({@link dev.chimera.merge.MergedWeights}), nothing is written per
 * candidate.
 */
package dev.chimera.local;
