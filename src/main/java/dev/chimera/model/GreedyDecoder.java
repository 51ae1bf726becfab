package dev.chimera.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Greedy decoding on a {@link CausalLM}: one prompt with a KV cache, or many prompts in right-padded batches. */
final class GreedyDecoder {
    private final CausalLM lm;
    private final ModelConfig config;

    GreedyDecoder(CausalLM lm) {
        this.lm = lm;
        this.config = lm.config();
    }

    /**
     * Greedy decoding with a KV cache: the prompt is processed once, then one token per step, until a token of
     * {@code eosTokenIds} (not included in the result) or {@code maxNewTokens} tokens.
     */
    CausalLM.Generation generate(int[] prompt, int maxNewTokens, Set<Integer> eosTokenIds) {
        if (prompt.length == 0) {
            throw new ModelException("generateGreedy: the prompt is empty");
        }
        if (maxNewTokens < 0) {
            throw new ModelException("generateGreedy: maxNewTokens " + maxNewTokens + " is negative");
        }
        List<Integer> out = new ArrayList<>();
        boolean eos = false;
        try (NDManager cacheManager = lm.manager().newSubManager()) {
            KvCache cache = new KvCache(cacheManager, config.numLayers());
            long[] step = new long[prompt.length];
            for (int i = 0; i < prompt.length; i++) {
                lm.checkToken(prompt[i], "prompt");
                step[i] = prompt[i];
            }
            int past = 0;
            for (int produced = 0; produced < maxNewTokens; produced++) {
                int t = step.length;
                lm.checkWindow(past + t);
                long next;
                try (NDManager scope = lm.manager().newSubManager()) {
                    NDArray h = lm.run(scope, step, 1, t, new int[] {t}, cache, past);
                    NDArray last = h.get(new NDIndex(":, {}:, :", t - 1));
                    NDArray logits = Linear.linear(last, lm.lmHead()).singletonOrThrow();
                    next = logits.reshape(-1).argMax().toLongArray()[0];
                }
                past += t;
                if (eosTokenIds.contains((int) next)) {
                    eos = true;
                    break;
                }
                out.add((int) next);
                step = new long[] {next};
            }
        }
        return new CausalLM.Generation(out.stream().mapToInt(Integer::intValue).toArray(), eos);
    }

    /**
     * Greedy decoding of many prompts at once: every step runs one right-padded forward pass over the prompts that
     * have not stopped yet, each prompt extended by its own tokens so far, and takes the argmax at each one's last
     * position. No KV cache (rows would sit at different positions), so a step recomputes the whole prefix: far faster
     * than {@link #generate(int[], int, Set)} per prompt for short answers over many items, slower for long
     * generations. Results are in prompt order, the same tokens as decoding each prompt alone.
     */
    List<CausalLM.Generation> generate(List<int[]> prompts, int maxNewTokens, Set<Integer> eosTokenIds) {
        if (maxNewTokens < 0) {
            throw new ModelException("generateGreedy: maxNewTokens " + maxNewTokens + " is negative");
        }
        int n = prompts.size();
        List<List<Integer>> out = new ArrayList<>(n);
        boolean[] stopped = new boolean[n];
        boolean[] eos = new boolean[n];
        for (int i = 0; i < n; i++) {
            int[] p = prompts.get(i);
            if (p.length == 0) {
                throw new ModelException("generateGreedy: prompt " + i + " is empty");
            }
            for (int tok : p) {
                lm.checkToken(tok, "prompt " + i);
            }
            out.add(new ArrayList<>());
        }
        int hidden = (int) lm.lmHead().getShape().get(1);
        for (int produced = 0; produced < maxNewTokens; produced++) {
            List<Integer> active = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!stopped[i]) {
                    active.add(i);
                }
            }
            if (active.isEmpty()) {
                break;
            }
            int a = active.size();
            long[][] ids = new long[a][];
            int[] lengths = new int[a];
            for (int r = 0; r < a; r++) {
                int[] p = prompts.get(active.get(r));
                List<Integer> so = out.get(active.get(r));
                ids[r] = new long[p.length + so.size()];
                for (int j = 0; j < p.length; j++) {
                    ids[r][j] = p[j];
                }
                for (int j = 0; j < so.size(); j++) {
                    ids[r][p.length + j] = so.get(j);
                }
                lengths[r] = ids[r].length;
            }
            int t = lm.checkBatch(ids, lengths);
            long[] next;
            try (NDManager scope = lm.manager().newSubManager()) {
                NDArray h = lm.run(scope, CausalLM.flatten(ids, lengths, t), a, t, lengths, null, 0);
                long[] last = new long[a * hidden];
                for (int r = 0; r < a; r++) {
                    Arrays.fill(last, r * hidden, (r + 1) * hidden, lengths[r] - 1);
                }
                NDArray rows = h.gather(scope.create(last, new Shape(a, 1, hidden)), 1);
                next = Linear.linear(rows, lm.lmHead())
                        .singletonOrThrow()
                        .reshape(a, -1)
                        .argMax(1)
                        .toLongArray();
            }
            for (int r = 0; r < a; r++) {
                int i = active.get(r);
                if (eosTokenIds.contains((int) next[r])) {
                    eos[i] = true;
                    stopped[i] = true;
                } else {
                    out.get(i).add((int) next[r]);
                }
            }
        }
        List<CausalLM.Generation> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(new CausalLM.Generation(
                    out.get(i).stream().mapToInt(Integer::intValue).toArray(), eos[i]));
        }
        return results;
    }
}
