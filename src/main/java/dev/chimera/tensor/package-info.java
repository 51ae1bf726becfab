/**
 * Safetensors I/O and Hugging Face model folders.
 *
 * <p>Reading: {@link dev.chimera.tensor.SafetensorsFile} (one memory-mapped file, header validated
 * up front, tensor bytes handed out as chunked read-only views) and {@link
 * dev.chimera.tensor.SafetensorsModel} (a model folder, single file or sharded with an index).
 *
 * <p>Writing: {@link dev.chimera.tensor.ShardedSafetensorsWriter} (shards planned up front, tensors
 * written at known offsets from any thread) inside an {@link dev.chimera.tensor.OutputFolder}
 * (temporary sibling directory renamed into place on success), plus {@link
 * dev.chimera.tensor.HfConfig} and {@link dev.chimera.tensor.TokenizerFiles} for the files around
 * the weights.
 *
 * <p>Errors: anything wrong with a safetensors file, index or model folder is a {@link
 * dev.chimera.tensor.SafetensorsException} (unchecked); a bad {@code config.json} is a {@link
 * dev.chimera.tensor.HfConfigException}; plain file-system failures are {@link
 * java.io.UncheckedIOException}s.
 */
package dev.chimera.tensor;
