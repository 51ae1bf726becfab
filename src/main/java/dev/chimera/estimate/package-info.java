/**
 * Cheap fitness estimators: a model's full-benchmark accuracy from its answers on a few items, after tinyBenchmarks
 * (Polo et al. 2024; felipemaiapolo/tinyBenchmarks and its experiment code felipemaiapolo/efficbench) and Mergenetic
 * / MERGE3 (tommasomncttn/mergenetic, {@code estimator/}).
 *
 * <ul>
 *   <li>{@link dev.chimera.estimate.ResponseMatrix}: reference models x items 0/1 correctness (CSV or in memory).
 *   <li>{@link dev.chimera.estimate.IrtModel}: multidimensional 2PL, joint MAP fit, MAP abilities of new models
 *       from any subset, Mergenetic's ability of a merge as a combination of its parents'.
 *   <li>{@link dev.chimera.estimate.ItemSelector} / {@link dev.chimera.estimate.Selection}: random, stratified,
 *       anchor points (k-means on correctness vectors) and anchor-irt (k-means on IRT embeddings).
 *   <li>{@link dev.chimera.estimate.AccuracyEstimator}: mean, weighted, irt, irt-model, pirt, gpirt, mpirt, gmpirt,
 *       gmpirt-auto; {@link dev.chimera.estimate.Calibration}: tinyBenchmarks' data-chosen gp-IRT lambda.
 *   <li>{@link dev.chimera.estimate.EstimatorBench}: held-out-model benchmark (MAE per method and n).
 * </ul>
 */
package dev.chimera.estimate;
