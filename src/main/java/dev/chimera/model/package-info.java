/**
 * Transformer inference on DJL NDArrays (PyTorch engine): Llama-family causal language models
 * ({@code LlamaForCausalLM}, {@code MistralForCausalLM}, {@code Qwen2ForCausalLM}, {@code Qwen3ForCausalLM}) with the
 * semantics of Hugging Face transformers, computed in float32. {@link dev.chimera.model.ModelConfig} reads and checks
 * {@code config.json}; {@link dev.chimera.model.CausalLM} holds the weights and runs batched forward passes,
 * lm-eval-harness style log-likelihoods and greedy generation with a KV cache.
 */
package dev.chimera.model;
