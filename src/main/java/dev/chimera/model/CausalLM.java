package dev.chimera.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Llama-family causal language model (Llama, Mistral, Qwen2, Qwen3) on DJL NDArrays, computed in float32 with the
 * semantics of Hugging Face transformers: RMSNorm in float32, rotary embeddings with the rotate_half convention
 * (default, linear or llama3 frequencies), grouped-query attention with a causal + padding mask and softmax in float32,
 * SiLU-gated MLP, final norm, lm_head or tied embeddings.
 *
 * <p>Weights loaded from a folder live in one {@link NDManager} owned by the model and are freed by {@link #close()}.
 * Weights handed over as a map ({@link #fromWeights}) are used as they are (no copy) and stay owned by the caller.
 * Every call computes in its own sub-manager, closed before it returns; only results attached to a caller's manager
 * outlive a call.
 */
public final class CausalLM implements AutoCloseable {
    private static final float MASKED = -1e30f;

    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray embed;
    private final NDArray finalNorm;
    private final NDArray lmHead;
    private final Layer[] layers;
    private final float[] invFreq;
    /** cos and signed-sin tables in the model's manager, see {@link #rotaryTables}. */
    private NDArray[] rotary;

    /**
     * One decoder layer's weights. Models that own their weights hold q/k/v and gate/up fused ({@code qkv},
     * {@code qkvBias}, {@code gateUp}; the separate fields are then null) so each pair or triple is one GEMM;
     * weights handed over by a caller stay separate and shared (fusing would copy them).
     */
    private record Layer(
            NDArray inNorm,
            NDArray q,
            NDArray k,
            NDArray v,
            NDArray o,
            NDArray qb,
            NDArray kb,
            NDArray vb,
            NDArray ob,
            NDArray qNorm,
            NDArray kNorm,
            NDArray postNorm,
            NDArray gate,
            NDArray up,
            NDArray down,
            NDArray qkv,
            NDArray qkvBias,
            NDArray gateUp) {
        /** The same weights with q/k/v and gate/up concatenated into new arrays of {@code m}; closes the parts. */
        Layer fused(NDManager m) {
            NDArray qkvW = NDArrays.concat(new NDList(q, k, v), 0);
            NDArray qkvB = qb == null ? null : NDArrays.concat(new NDList(qb, kb, vb), 0);
            NDArray gu = NDArrays.concat(new NDList(gate, up), 0);
            for (NDArray a : new NDArray[] {qkvW, qkvB, gu}) {
                if (a != null) {
                    a.attach(m);
                }
            }
            for (NDArray a : new NDArray[] {q, k, v, qb, kb, vb, gate, up}) {
                if (a != null) {
                    a.close();
                }
            }
            return new Layer(
                    inNorm, null, null, null, o, null, null, null, ob, qNorm, kNorm, postNorm, null, null, down, qkvW,
                    qkvB, gu);
        }
    }

    /** Sum of the continuation's log-probabilities and whether every token was the greedy choice (lm-eval). */
    public record LogLikelihood(double logProb, boolean isGreedy, float[] tokenLogProbs, boolean[] tokenGreedy) {}

    /** Generated tokens (without the EOS token) and whether generation stopped on EOS. */
    public record Generation(int[] tokens, boolean stoppedOnEos) {}

    private CausalLM(ModelConfig config, NDManager manager, Map<String, NDArray> w, boolean fuse) {
        this.config = config;
        this.manager = manager;
        this.embed = w.get("model.embed_tokens.weight");
        this.finalNorm = w.get("model.norm.weight");
        this.lmHead = config.tieWordEmbeddings() ? embed : w.get("lm_head.weight");
        this.layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            String a = p + "self_attn.";
            layers[i] = new Layer(
                    w.get(p + "input_layernorm.weight"),
                    w.get(a + "q_proj.weight"),
                    w.get(a + "k_proj.weight"),
                    w.get(a + "v_proj.weight"),
                    w.get(a + "o_proj.weight"),
                    w.get(a + "q_proj.bias"),
                    w.get(a + "k_proj.bias"),
                    w.get(a + "v_proj.bias"),
                    w.get(a + "o_proj.bias"),
                    w.get(a + "q_norm.weight"),
                    w.get(a + "k_norm.weight"),
                    w.get(p + "post_attention_layernorm.weight"),
                    w.get(p + "mlp.gate_proj.weight"),
                    w.get(p + "mlp.up_proj.weight"),
                    w.get(p + "mlp.down_proj.weight"),
                    null,
                    null,
                    null);
            if (fuse) {
                layers[i] = layers[i].fused(manager);
            }
        }
        this.invFreq = config.inverseFrequencies();
        rotaryTables(Math.min(config.maxPositionEmbeddings(), 512));
    }

    /** Loads a Hugging Face model folder (config.json + safetensors) on the CPU. */
    public static CausalLM load(Path dir) {
        return load(dir, Device.cpu());
    }

    /**
     * Loads a Hugging Face model folder: config.json and safetensors weights (f32, bf16, f16 or f64, widened to
     * float32 in Java). Tensors in the files that the model does not use are ignored.
     *
     * @throws ModelException for an unsupported config, a missing weight, a shape or dtype mismatch
     */
    public static CausalLM load(Path dir, Device device) {
        ModelConfig config = ModelConfig.read(dir);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            return new CausalLM(config, manager, CheckpointLayout.read(dir, config, manager), true);
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Wraps float32 weights already in memory (for instance a candidate from a merger), without copying them.
     * The arrays stay owned by the caller, must stay open while the model is used, and must all be on one device.
     *
     * @throws ModelException for a missing weight, a shape mismatch or a non-float32 array
     */
    public static CausalLM fromWeights(ModelConfig config, Map<String, NDArray> weights) {
        Device device = CheckpointLayout.check(config, weights);
        return new CausalLM(config, NDManager.newBaseManager(device, "PyTorch"), weights, false);
    }

    public ModelConfig config() {
        return config;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** Arrays currently held by the model's manager and its sub-managers (for leak tests). */
    int managedArrayCount() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }

    // ---------------------------------------------------------------- public computations

    /**
     * Batched forward pass over right-padded sequences.
     *
     * @param out manager the result is attached to (the caller closes it)
     * @param tokenIds one row per sequence; rows may be longer than their length (padding is ignored)
     * @param lengths number of real tokens per row, at least 1
     * @param logSoftmax return log-probabilities instead of logits
     * @return float32 [batch, maxLength, vocab]; rows beyond a sequence's length hold values for padding positions
     */
    public NDArray forward(NDManager out, long[][] tokenIds, int[] lengths, boolean logSoftmax) {
        int batch = tokenIds.length;
        int t = checkBatch(tokenIds, lengths);
        long[] flat = flatten(tokenIds, lengths, t);
        try (NDManager scope = manager.newSubManager()) {
            NDArray h = run(scope, flat, batch, t, lengths, null, 0);
            NDArray logits = Linear.linear(h, lmHead).singletonOrThrow();
            NDArray result = logSoftmax ? logits.logSoftmax(-1) : logits;
            result.attach(out);
            return result;
        }
    }

    /**
     * {@link #forward} with every intermediate array left in {@code scope} instead of a sub-manager closed on return,
     * for training: autograd reads the graph's inputs (token ids, rotary tables) during the backward pass, after this
     * returns, and DJL's PyTorch arrays made from Java data only borrow that data's buffer, which may be freed once
     * the array is closed. The caller closes {@code scope} after the backward pass.
     */
    public NDArray forwardKeepingGraph(NDManager scope, long[][] tokenIds, int[] lengths, boolean logSoftmax) {
        int t = checkBatch(tokenIds, lengths);
        long[] flat = flatten(tokenIds, lengths, t);
        NDArray h = run(scope, flat, tokenIds.length, t, lengths, null, 0, true);
        NDArray logits = Linear.linear(h, lmHead).singletonOrThrow();
        return logSoftmax ? logits.logSoftmax(-1) : logits;
    }

    /** {@link #forward} copied to Java arrays: [batch][maxLength][vocab]. */
    public float[][][] logits(long[][] tokenIds, int[] lengths, boolean logSoftmax) {
        try (NDManager out = manager.newSubManager()) {
            NDArray a = forward(out, tokenIds, lengths, logSoftmax);
            int b = (int) a.getShape().get(0);
            int t = (int) a.getShape().get(1);
            int v = (int) a.getShape().get(2);
            float[] all = a.toFloatArray();
            float[][][] r = new float[b][t][v];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    System.arraycopy(all, (i * t + j) * v, r[i][j], 0, v);
                }
            }
            return r;
        }
    }

    /**
     * lm-eval-harness {@code loglikelihood}: the sum of log p(continuation | context), scoring positions
     * len(context)-1 .. len(context)+len(continuation)-2, and whether each continuation token was the argmax.
     * The context must hold at least one token (lm-eval passes the EOT token for an empty context).
     */
    public LogLikelihood logLikelihood(int[] context, int[] continuation) {
        return logLikelihoods(List.of(context), List.of(continuation)).get(0);
    }

    /** {@link #logLikelihood} for several requests in one right-padded batch. */
    public List<LogLikelihood> logLikelihoods(List<int[]> contexts, List<int[]> continuations) {
        if (contexts.size() != continuations.size()) {
            throw new ModelException(
                    "logLikelihoods: " + contexts.size() + " contexts but " + continuations.size() + " continuations");
        }
        int n = contexts.size();
        if (n == 0) {
            return List.of();
        }
        long[][] ids = new long[n][];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            int[] ctx = contexts.get(i);
            int[] cont = continuations.get(i);
            if (ctx.length == 0) {
                throw new ModelException("logLikelihood: request " + i
                        + " has an empty context (pass the EOT token as context, as lm-eval does)");
            }
            if (cont.length == 0) {
                throw new ModelException("logLikelihood: request " + i + " has an empty continuation");
            }
            for (int tok : ctx) {
                checkToken(tok, "context");
            }
            for (int tok : cont) {
                checkToken(tok, "continuation");
            }
            int len = ctx.length + cont.length - 1;
            ids[i] = new long[len];
            for (int j = 0; j < ctx.length; j++) {
                ids[i][j] = ctx[j];
            }
            for (int j = 0; j < cont.length - 1; j++) {
                ids[i][ctx.length + j] = cont[j];
            }
            lengths[i] = len;
        }
        List<LogLikelihood> results = new ArrayList<>(n);
        try (NDManager scope = manager.newSubManager()) {
            NDArray logp = forward(scope, ids, lengths, true);
            for (int i = 0; i < n; i++) {
                int[] ctx = contexts.get(i);
                int[] cont = continuations.get(i);
                int start = ctx.length - 1;
                NDArray rows = logp.get(new NDIndex("{}, {}:{}, :", i, start, start + cont.length));
                long[] target = new long[cont.length];
                for (int j = 0; j < cont.length; j++) {
                    target[j] = cont[j];
                }
                NDArray idx = scope.create(target, new Shape(cont.length, 1));
                float[] picked = rows.gather(idx, 1).toFloatArray();
                long[] argmax = rows.argMax(1).toLongArray();
                double sum = 0;
                boolean all = true;
                boolean[] greedy = new boolean[cont.length];
                for (int j = 0; j < cont.length; j++) {
                    sum += picked[j];
                    greedy[j] = argmax[j] == cont[j];
                    all &= greedy[j];
                }
                results.add(new LogLikelihood(sum, all, picked, greedy));
            }
        }
        return results;
    }

    /** Greedy generation stopping on one EOS token id; see {@link #generateGreedy(int[], int, Set)}. */
    public Generation generateGreedy(int[] prompt, int maxNewTokens, int eosTokenId) {
        return generateGreedy(prompt, maxNewTokens, Set.of(eosTokenId));
    }

    /**
     * Greedy decoding with a KV cache: the prompt is processed once, then one token per step, until a token of
     * {@code eosTokenIds} (not included in the result) or {@code maxNewTokens} tokens.
     */
    public Generation generateGreedy(int[] prompt, int maxNewTokens, Set<Integer> eosTokenIds) {
        return new GreedyDecoder(this).generate(prompt, maxNewTokens, eosTokenIds);
    }

    /**
     * Greedy decoding of many prompts at once in right-padded batches, without a KV cache: the same tokens as
     * decoding each prompt alone, far faster for short answers over many items (see {@link GreedyDecoder}).
     */
    public List<Generation> generateGreedy(List<int[]> prompts, int maxNewTokens, Set<Integer> eosTokenIds) {
        return new GreedyDecoder(this).generate(prompts, maxNewTokens, eosTokenIds);
    }

    NDManager manager() {
        return manager;
    }

    NDArray lmHead() {
        return lmHead;
    }

    // ---------------------------------------------------------------- the transformer

    /** Runs the decoder on [batch, t] tokens at positions past..past+t-1; returns the final-normed hidden states. */
    NDArray run(NDManager scope, long[] flatIds, int batch, int t, int[] lengths, KvCache cache, int past) {
        return run(scope, flatIds, batch, t, lengths, cache, past, false);
    }

    /**
     * Scalars of a training graph, as arrays of the caller's scope: DJL's {@code op(Number)} closes its scalar array
     * on return, and autograd reads it in the backward pass. Null for inference, which also computes in place
     * (in-place ops would break autograd, which keeps some intermediates for the backward pass).
     */
    private record Graph(NDArray scale, NDArray eps) {}

    private NDArray run(
            NDManager scope,
            long[] flatIds,
            int batch,
            int t,
            int[] lengths,
            KvCache cache,
            int past,
            boolean keepGraph) {
        int s = past + t;
        checkWindow(s);
        int heads = config.numHeads();
        int kv = config.numKvHeads();
        int group = heads / kv;
        int d = config.headDim();
        int half = d / 2;
        long qDim = (long) heads * d;
        long kvDim = (long) kv * d;

        NDArray ids = scope.create(flatIds, new Shape(batch, t));
        NDArray x = Embedding.embedding(ids, embed, SparseFormat.DENSE).singletonOrThrow();

        // rotary rows for positions past..past+t-1, views into the model's cached tables
        NDArray[] table = rotaryTables(s);
        NDArray cos = rows(table[0], past, s, scope).reshape(1, 1, t, d);
        NDArray sinSigned = rows(table[1], past, s, scope).reshape(1, 1, t, d);
        NDArray mask = attentionMask(scope, batch, t, s, past, lengths);
        float scale = (float) (1.0 / Math.sqrt(d));
        Graph g = keepGraph ? new Graph(scope.create(scale), scope.create((float) config.rmsNormEps())) : null;

        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            NDArray h = rmsNorm(x, w.inNorm, g);
            NDArray q;
            NDArray k;
            NDArray v;
            if (w.qkv != null) {
                // one GEMM for q, k and v; the three are views of its output
                NDArray qkv = Linear.linear(h, w.qkv, w.qkvBias).singletonOrThrow();
                q = qkv.get(new NDIndex(":, :, :{}", qDim));
                k = qkv.get(new NDIndex(":, :, {}:{}", qDim, qDim + kvDim));
                v = qkv.get(new NDIndex(":, :, {}:", qDim + kvDim));
            } else {
                q = Linear.linear(h, w.q, w.qb).singletonOrThrow();
                k = Linear.linear(h, w.k, w.kb).singletonOrThrow();
                v = Linear.linear(h, w.v, w.vb).singletonOrThrow();
            }
            q = q.reshape(batch, t, heads, d);
            k = k.reshape(batch, t, kv, d);
            v = v.reshape(batch, t, kv, d);
            if (config.qkNorm()) {
                q = rmsNorm(q, w.qNorm, g);
                k = rmsNorm(k, w.kNorm, g);
            }
            // the softmax scale is folded into q (t x d values instead of t x s scores)
            q = g == null
                    ? rope(q.transpose(0, 2, 1, 3), cos, sinSigned, half, false).muli(scale)
                    : rope(q.transpose(0, 2, 1, 3), cos, sinSigned, half, true).mul(g.scale());
            NDArray kT = rope(k.transpose(0, 2, 1, 3), cos, sinSigned, half, g != null)
                    .transpose(0, 1, 3, 2);
            v = v.transpose(0, 2, 1, 3);
            if (cache != null) {
                NDArray[] full = cache.append(l, kT, v);
                kT = full[0];
                v = full[1];
            }
            // grouped-query attention without repeating k/v: query head h uses kv head h / group
            NDArray scores =
                    q.reshape(batch, kv, (long) group * t, d).matMul(kT).reshape(batch, kv, group, t, s);
            NDArray probs = (g == null ? scores.addi(mask) : scores.add(mask))
                    .softmax(-1)
                    .reshape(batch, kv, (long) group * t, s);
            NDArray attn = probs.matMul(v)
                    .reshape(batch, heads, t, d)
                    .transpose(0, 2, 1, 3)
                    .reshape(batch, t, qDim);
            NDArray o = Linear.linear(attn, w.o, w.ob).singletonOrThrow();
            x = g == null ? x.addi(o) : x.add(o);

            h = rmsNorm(x, w.postNorm, g);
            NDArray gate;
            NDArray up;
            if (w.gateUp != null) {
                NDArray gu = Linear.linear(h, w.gateUp).singletonOrThrow();
                long inter = config.intermediateSize();
                gate = gu.get(new NDIndex(":, :, :{}", inter));
                up = gu.get(new NDIndex(":, :, {}:", inter));
            } else {
                gate = Linear.linear(h, w.gate).singletonOrThrow();
                up = Linear.linear(h, w.up).singletonOrThrow();
            }
            // silu(gate) * up
            NDArray act = g == null
                    ? Activation.sigmoid(gate).muli(gate).muli(up)
                    : gate.mul(Activation.sigmoid(gate)).mul(up);
            NDArray down = Linear.linear(act, w.down).singletonOrThrow();
            x = g == null ? x.addi(down) : x.add(down);
        }
        return rmsNorm(x, finalNorm, g);
    }

    /**
     * Additive mask [batch, 1, 1, t, s], built on the device: key j is visible to query i (position past + i) iff
     * j <= past + i and j < past + length of the row, and for Mistral's sliding window W also j > past + i - W
     * (transformers' sliding_window_overlay; every Mistral layer slides).
     */
    private NDArray attentionMask(NDManager scope, int batch, int t, int s, int past, int[] lengths) {
        NDArray keyPos = scope.arange(0, s).reshape(1, 1, s); // [1, 1, s]
        NDArray queryPos = scope.arange(past, s).reshape(1, t, 1); // [1, t, 1]
        NDArray visible = keyPos.lte(queryPos); // [1, t, s]
        if (slidesEveryLayer() && s > config.slidingWindow()) {
            visible = visible.logicalAnd(keyPos.gt(queryPos.sub(config.slidingWindow())));
        }
        boolean padded = false;
        for (int len : lengths) {
            padded |= len != t;
        }
        if (padded) {
            int[] ends = new int[batch];
            for (int b = 0; b < batch; b++) {
                ends[b] = past + lengths[b];
            }
            visible = visible.logicalAnd(keyPos.lt(scope.create(ends, new Shape(batch, 1, 1)))); // [b, t, s]
        }
        // (visible - 1) * -MASKED: 0 where visible, MASKED elsewhere
        return visible.toType(DataType.FLOAT32, false)
                .subi(1f)
                .muli(-MASKED)
                .reshape(visible.getShape().get(0), 1, 1, t, s);
    }

    /**
     * cos and "signed sin" tables [positions, d] in the model's manager, grown (doubling) as longer sequences come:
     * cos = cat(cos f, cos f), signed sin = cat(-sin f, sin f) for f = position * inv_freq in float32, so that
     * rope(x) = x * cos + cat(x2, x1) * signed sin equals x * cos + rotate_half(x) * sin.
     */
    private synchronized NDArray[] rotaryTables(int positions) {
        if (rotary == null || rotary[0].getShape().get(0) < positions) {
            int n = Math.max(
                    positions,
                    rotary == null
                            ? 64
                            : (int) Math.min(
                                    Integer.MAX_VALUE / 2,
                                    2 * rotary[0].getShape().get(0)));
            int d = config.headDim();
            int half = d / 2;
            float[] cos = new float[n * d];
            float[] sin = new float[n * d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < half; j++) {
                    float angle = (float) i * invFreq[j];
                    float c = (float) Math.cos(angle);
                    float sn = (float) Math.sin(angle);
                    cos[i * d + j] = c;
                    cos[i * d + half + j] = c;
                    sin[i * d + j] = -sn;
                    sin[i * d + half + j] = sn;
                }
            }
            if (rotary != null) {
                rotary[0].close();
                rotary[1].close();
            }
            rotary = new NDArray[] {manager.create(cos, new Shape(n, d)), manager.create(sin, new Shape(n, d))};
        }
        return rotary;
    }

    /** Rows from..to-1 of a model-owned table as a view in {@code scope} (ops attach to their input's manager). */
    private static NDArray rows(NDArray table, int from, int to, NDManager scope) {
        NDArray view = table.get(new NDIndex("{}:{}", from, to));
        view.attach(scope);
        return view;
    }

    /** RMSNorm in float32: x / sqrt(mean(x^2) + eps) * weight. */
    private NDArray rmsNorm(NDArray x, NDArray weight, Graph g) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        if (g != null) {
            return x.div(variance.add(g.eps()).sqrt()).mul(weight);
        }
        return x.div(variance.addi((float) config.rmsNormEps()).sqrt()).muli(weight);
    }

    /** x * cos + rotate_half(x) * sin as x * cos + cat(x2, x1) * signed sin (x1, x2: halves of the last axis). */
    private static NDArray rope(NDArray x, NDArray cos, NDArray sinSigned, int half, boolean keepGraph) {
        NDArray x1 = x.get(new NDIndex(":, :, :, :{}", half));
        NDArray x2 = x.get(new NDIndex(":, :, :, {}:", half));
        if (keepGraph) {
            return x.mul(cos).add(x2.concat(x1, -1).mul(sinSigned));
        }
        return x.mul(cos).addi(x2.concat(x1, -1).muli(sinSigned));
    }

    // ---------------------------------------------------------------- checks

    int checkBatch(long[][] tokenIds, int[] lengths) {
        if (tokenIds.length == 0) {
            throw new ModelException("forward: empty batch");
        }
        if (lengths.length != tokenIds.length) {
            throw new ModelException("forward: " + tokenIds.length + " sequences but " + lengths.length + " lengths");
        }
        int t = 0;
        for (int b = 0; b < tokenIds.length; b++) {
            if (lengths[b] < 1 || lengths[b] > tokenIds[b].length) {
                throw new ModelException("forward: sequence " + b + " has length " + lengths[b] + " but "
                        + tokenIds[b].length + " tokens (need 1 <= length <= tokens)");
            }
            t = Math.max(t, lengths[b]);
            for (int j = 0; j < lengths[b]; j++) {
                if (tokenIds[b][j] < 0 || tokenIds[b][j] >= config.vocabSize()) {
                    throw new ModelException("forward: token " + tokenIds[b][j] + " at sequence " + b + " position " + j
                            + " is outside the vocabulary (vocab_size " + config.vocabSize() + ")");
                }
            }
        }
        checkWindow(t);
        return t;
    }

    void checkToken(int token, String what) {
        if (token < 0 || token >= config.vocabSize()) {
            throw new ModelException(
                    what + " token " + token + " is outside the vocabulary (vocab_size " + config.vocabSize() + ")");
        }
    }

    /** Mistral applies its sliding_window in every layer, which the mask implements. */
    private boolean slidesEveryLayer() {
        return config.slidingWindow() != null && config.architecture() == ModelConfig.Architecture.MISTRAL;
    }

    /**
     * Qwen2/Qwen3 with use_sliding_window slide only in the layers from max_window_layers on (transformers'
     * layer_types); that per-layer choice is not implemented, so longer sequences are refused.
     */
    void checkWindow(int length) {
        Integer window = config.slidingWindow();
        if (window != null && !slidesEveryLayer() && length > window) {
            throw new ModelException("sequence length " + length + " exceeds sliding_window " + window
                    + " of " + config.architecture().className() + " with use_sliding_window=true; per-layer"
                    + " sliding windows (max_window_layers / layer_types) are not implemented");
        }
    }

    /** Right-padded [batch * t] ids; padding positions get token 0 (masked out as keys). */
    static long[] flatten(long[][] tokenIds, int[] lengths, int t) {
        long[] flat = new long[tokenIds.length * t];
        for (int b = 0; b < tokenIds.length; b++) {
            System.arraycopy(tokenIds[b], 0, flat, b * t, lengths[b]);
        }
        return flat;
    }
}
