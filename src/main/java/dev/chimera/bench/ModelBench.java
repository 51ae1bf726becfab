package dev.chimera.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.chimera.model.CausalLM;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Inference benchmark of {@link CausalLM} on the CPU: prefill (one forward pass over a 256-token prompt, batch 1)
 * and greedy decoding with the KV cache (64 new tokens after a 32-token prompt), on a random Llama written by
 * {@link SyntheticModels}. Decode throughput counts only the decode steps: the time of a 64-token generation minus
 * the time of a 1-token generation (prompt pass + first token), divided by 63. The Hugging Face transformers
 * baseline (/work/oracle/bench/hf_model_bench.py) times the same thing the same way on the same folder.
 */
public final class ModelBench {
    /** ~56M parameters: hidden 512, intermediate 1536, 8 layers, vocab 32000, 8 heads, 4 KV heads. */
    public static final SyntheticModels.Shape DEFAULT_SHAPE = new SyntheticModels.Shape(512, 1536, 8, 32000, 8, 4);

    public static final int PREFILL_TOKENS = 256;
    public static final int DECODE_PROMPT = 32;
    public static final int DECODE_NEW = 64;
    public static final int DEFAULT_REPEATS = 5;

    /** Median and best of the repeats; times in seconds. */
    public record Result(
            long parameters,
            int threads,
            double prefillMedian,
            double prefillBest,
            double decodeMedian,
            double decodeBest,
            double loadSeconds) {
        public double prefillTokensPerSecMedian() {
            return PREFILL_TOKENS / prefillMedian;
        }

        public double prefillTokensPerSecBest() {
            return PREFILL_TOKENS / prefillBest;
        }

        /** Decode-step seconds per token (median / best). */
        public double decodeTokensPerSecMedian() {
            return (DECODE_NEW - 1) / decodeMedian;
        }

        public double decodeTokensPerSecBest() {
            return (DECODE_NEW - 1) / decodeBest;
        }
    }

    private ModelBench() {}

    /** Prompt token ids shared with the Python baseline: (1 + 7919 i) mod vocab. */
    public static int[] promptTokens(int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = (int) ((1L + 7919L * i) % vocab);
        }
        return t;
    }

    /** The model folder for a shape under {@code work}, written once (config.json is written last). */
    public static Path modelDir(Path work, SyntheticModels.Shape s, PrintStream log) throws IOException {
        Path dir = work.resolve(String.format(
                "llama-h%d-i%d-l%d-v%d-a%d-kv%d",
                s.hidden(), s.intermediate(), s.layers(), s.vocab(), s.heads(), s.kvHeads()));
        if (!Files.exists(dir.resolve("config.json"))) {
            long t0 = System.nanoTime();
            SyntheticModels.write(dir, s, 42, 0);
            log.printf("wrote %s in %.1f s%n", dir, (System.nanoTime() - t0) / 1e9);
        } else {
            log.println("reusing " + dir);
        }
        return dir;
    }

    /**
     * Runs the benchmark. Thread counts must be set before the PyTorch engine starts; this sets the DJL system
     * properties {@code ai.djl.pytorch.num_threads} and {@code ai.djl.pytorch.num_interop_threads} unless given.
     */
    public static Result run(Path dir, long parameters, int threads, int repeats, PrintStream log) {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(threads));
        }
        long t0 = System.nanoTime();
        try (CausalLM model = CausalLM.load(dir)) {
            double load = (System.nanoTime() - t0) / 1e9;
            int actualThreads = JniUtils.getNumThreads();
            log.printf(
                    "loaded in %.1f s; PyTorch intra-op threads %d, inter-op threads %d%n",
                    load, actualThreads, JniUtils.getNumInteropThreads());
            int vocab = model.config().vocabSize();
            int[] prefill = promptTokens(PREFILL_TOKENS, vocab);
            long[][] prefillIds = {Arrays.stream(prefill).asLongStream().toArray()};
            int[] lengths = {PREFILL_TOKENS};
            int[] decodePrompt = Arrays.copyOf(prefill, DECODE_PROMPT);
            // no generated id can be negative, so generation never stops early
            Set<Integer> noEos = Set.of(-1);

            // warm-up
            for (int i = 0; i < 2; i++) {
                prefillOnce(model, prefillIds, lengths);
                model.generateGreedy(decodePrompt, DECODE_NEW, noEos);
                model.generateGreedy(decodePrompt, 1, noEos);
            }
            repeats = Math.max(1, repeats);
            double[] pre = new double[repeats];
            double[] dec = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                pre[r] = prefillOnce(model, prefillIds, lengths);
                long a = System.nanoTime();
                CausalLM.Generation one = model.generateGreedy(decodePrompt, 1, noEos);
                long b = System.nanoTime();
                CausalLM.Generation full = model.generateGreedy(decodePrompt, DECODE_NEW, noEos);
                long c = System.nanoTime();
                if (full.tokens().length != DECODE_NEW || one.tokens().length != 1) {
                    throw new IllegalStateException("generation produced " + full.tokens().length + " tokens");
                }
                dec[r] = ((c - b) - (b - a)) / 1e9;
                log.printf(
                        "repeat %d: prefill %.3f s (%.0f tok/s), generate 64: %.3f s, generate 1: %.3f s, "
                                + "decode %.1f tok/s%n",
                        r + 1,
                        pre[r],
                        PREFILL_TOKENS / pre[r],
                        (c - b) / 1e9,
                        (b - a) / 1e9,
                        (DECODE_NEW - 1) / dec[r]);
            }
            return new Result(parameters, actualThreads, median(pre), min(pre), median(dec), min(dec), load);
        }
    }

    private static double prefillOnce(CausalLM model, long[][] ids, int[] lengths) {
        long t0 = System.nanoTime();
        try (NDManager out = NDManager.newBaseManager(model.device(), "PyTorch")) {
            NDArray logits = model.forward(out, ids, lengths, false);
            // force completion and read one value, as the baseline does
            logits.get(0, lengths[0] - 1).argMax().toLongArray();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double min(double[] x) {
        return Arrays.stream(x).min().orElse(Double.NaN);
    }
}
