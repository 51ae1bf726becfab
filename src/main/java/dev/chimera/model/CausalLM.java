package dev.chimera.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.chimera.tensor.HostTensors;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.SafetensorsModel;
import dev.chimera.tensor.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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

    private record Layer(NDArray inNorm, NDArray q, NDArray k, NDArray v, NDArray o, NDArray qb, NDArray kb,
                         NDArray vb, NDArray ob, NDArray qNorm, NDArray kNorm, NDArray postNorm, NDArray gate,
                         NDArray up, NDArray down) {
    }

    /** Sum of the continuation's log-probabilities and whether every token was the greedy choice (lm-eval). */
    public record LogLikelihood(double logProb, boolean isGreedy, float[] tokenLogProbs, boolean[] tokenGreedy) {
    }

    /** Generated tokens (without the EOS token) and whether generation stopped on EOS. */
    public record Generation(int[] tokens, boolean stoppedOnEos) {
    }

    private CausalLM(ModelConfig config, NDManager manager, Map<String, NDArray> w) {
        this.config = config;
        this.manager = manager;
        this.embed = w.get("model.embed_tokens.weight");
        this.finalNorm = w.get("model.norm.weight");
        this.lmHead = config.tieWordEmbeddings() ? embed : w.get("lm_head.weight");
        this.layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            String a = p + "self_attn.";
            layers[i] = new Layer(w.get(p + "input_layernorm.weight"), w.get(a + "q_proj.weight"),
                    w.get(a + "k_proj.weight"), w.get(a + "v_proj.weight"), w.get(a + "o_proj.weight"),
                    w.get(a + "q_proj.bias"), w.get(a + "k_proj.bias"), w.get(a + "v_proj.bias"),
                    w.get(a + "o_proj.bias"), w.get(a + "q_norm.weight"), w.get(a + "k_norm.weight"),
                    w.get(p + "post_attention_layernorm.weight"), w.get(p + "mlp.gate_proj.weight"),
                    w.get(p + "mlp.up_proj.weight"), w.get(p + "mlp.down_proj.weight"));
        }
        this.invFreq = config.inverseFrequencies();
    }

    /** The tensors the config requires, with their shapes, in checkpoint order. */
    public static Map<String, long[]> expectedShapes(ModelConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long h = c.hiddenSize();
        long qDim = (long) c.numHeads() * c.headDim();
        long kvDim = (long) c.numKvHeads() * c.headDim();
        s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            String a = p + "self_attn.";
            s.put(p + "input_layernorm.weight", new long[] {h});
            s.put(a + "q_proj.weight", new long[] {qDim, h});
            s.put(a + "k_proj.weight", new long[] {kvDim, h});
            s.put(a + "v_proj.weight", new long[] {kvDim, h});
            s.put(a + "o_proj.weight", new long[] {h, qDim});
            if (c.qkvBias()) {
                s.put(a + "q_proj.bias", new long[] {qDim});
                s.put(a + "k_proj.bias", new long[] {kvDim});
                s.put(a + "v_proj.bias", new long[] {kvDim});
            }
            if (c.oBias()) {
                s.put(a + "o_proj.bias", new long[] {h});
            }
            if (c.qkNorm()) {
                s.put(a + "q_norm.weight", new long[] {c.headDim()});
                s.put(a + "k_norm.weight", new long[] {c.headDim()});
            }
            s.put(p + "post_attention_layernorm.weight", new long[] {h});
            s.put(p + "mlp.gate_proj.weight", new long[] {c.intermediateSize(), h});
            s.put(p + "mlp.up_proj.weight", new long[] {c.intermediateSize(), h});
            s.put(p + "mlp.down_proj.weight", new long[] {h, c.intermediateSize()});
        }
        s.put("model.norm.weight", new long[] {h});
        if (!c.tieWordEmbeddings()) {
            s.put("lm_head.weight", new long[] {c.vocabSize(), h});
        }
        return s;
    }

    /** Maps "cpu" to the CPU and "cuda:N" (or "gpu:N", "cuda") to DJL's GPU N. */
    public static Device device(String name) {
        String n = name == null ? "cpu" : name.trim();
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        String[] parts = n.split(":", -1);
        if ((parts[0].equals("cuda") || parts[0].equals("gpu")) && parts.length <= 2) {
            try {
                return Device.gpu(parts.length == 1 ? 0 : Integer.parseInt(parts[1]));
            } catch (NumberFormatException e) {
                // fall through to the error
            }
        }
        throw new ModelException("unknown device \"" + name + "\" (expected cpu or cuda:N)");
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
        Map<String, long[]> expected = expectedShapes(config);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try (SafetensorsModel files = SafetensorsModel.open(dir)) {
            HostTensors host = new HostTensors();
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                String name = e.getKey();
                if (!files.has(name)) {
                    throw new ModelException(dir + ": missing weight " + name + " (expected shape "
                            + Arrays.toString(e.getValue()) + ")");
                }
                TensorInfo info = files.info(name);
                if (!Arrays.equals(info.shape(), e.getValue())) {
                    throw new ModelException(dir + ": weight " + name + " has shape " + Arrays.toString(info.shape())
                            + " but the config requires " + Arrays.toString(e.getValue()));
                }
                DType dt = info.dtype();
                if (dt != DType.F32 && dt != DType.BF16 && dt != DType.F16 && dt != DType.F64) {
                    throw new ModelException(dir + ": weight " + name + " has dtype " + dt
                            + "; only F32, BF16, F16 and F64 are supported");
                }
                weights.put(name, host.toFloat32(manager, files.chunks(name), dt, info.shape()));
            }
            return new CausalLM(config, manager, weights);
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
        Map<String, long[]> expected = expectedShapes(config);
        Device device = null;
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            NDArray a = weights.get(e.getKey());
            if (a == null) {
                throw new ModelException("missing weight " + e.getKey() + " (expected shape "
                        + Arrays.toString(e.getValue()) + ")");
            }
            if (!Arrays.equals(a.getShape().getShape(), e.getValue())) {
                throw new ModelException("weight " + e.getKey() + " has shape "
                        + Arrays.toString(a.getShape().getShape()) + " but the config requires "
                        + Arrays.toString(e.getValue()));
            }
            if (a.getDataType() != DataType.FLOAT32) {
                throw new ModelException("weight " + e.getKey() + " has data type " + a.getDataType()
                        + "; float32 is required");
            }
            if (device == null) {
                device = a.getDevice();
            } else if (!device.equals(a.getDevice())) {
                throw new ModelException("weight " + e.getKey() + " is on " + a.getDevice() + ", others on " + device);
            }
        }
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        return new CausalLM(config, manager, weights);
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
        NDArray h = run(scope, flat, tokenIds.length, t, lengths, null, 0);
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
            throw new ModelException("logLikelihoods: " + contexts.size() + " contexts but "
                    + continuations.size() + " continuations");
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
        if (prompt.length == 0) {
            throw new ModelException("generateGreedy: the prompt is empty");
        }
        if (maxNewTokens < 0) {
            throw new ModelException("generateGreedy: maxNewTokens " + maxNewTokens + " is negative");
        }
        List<Integer> out = new ArrayList<>();
        boolean eos = false;
        try (NDManager cacheManager = manager.newSubManager()) {
            Cache cache = new Cache(cacheManager, config.numLayers());
            long[] step = new long[prompt.length];
            for (int i = 0; i < prompt.length; i++) {
                checkToken(prompt[i], "prompt");
                step[i] = prompt[i];
            }
            int past = 0;
            for (int produced = 0; produced < maxNewTokens; produced++) {
                int t = step.length;
                checkWindow(past + t);
                long next;
                try (NDManager scope = manager.newSubManager()) {
                    NDArray h = run(scope, step, 1, t, new int[] {t}, cache, past);
                    NDArray last = h.get(new NDIndex(":, {}:, :", t - 1));
                    NDArray logits = Linear.linear(last, lmHead).singletonOrThrow();
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
        return new Generation(out.stream().mapToInt(Integer::intValue).toArray(), eos);
    }

    // ---------------------------------------------------------------- the transformer

    /** Keys (transposed, [1, kv, headDim, s]) and values ([1, kv, s, headDim]) per layer, in the cache's manager. */
    private static final class Cache {
        final NDManager manager;
        final NDArray[] keysT;
        final NDArray[] values;

        Cache(NDManager manager, int layers) {
            this.manager = manager;
            this.keysT = new NDArray[layers];
            this.values = new NDArray[layers];
        }

        /** Appends this step's keys/values and returns the full ones. */
        NDArray[] append(int layer, NDArray kT, NDArray v) {
            if (keysT[layer] == null) {
                kT.attach(manager);
                v.attach(manager);
                keysT[layer] = kT;
                values[layer] = v;
            } else {
                NDArray fullK = keysT[layer].concat(kT, 3);
                NDArray fullV = values[layer].concat(v, 2);
                fullK.attach(manager);
                fullV.attach(manager);
                keysT[layer].close();
                values[layer].close();
                keysT[layer] = fullK;
                values[layer] = fullV;
            }
            return new NDArray[] {keysT[layer], values[layer]};
        }
    }

    /** Runs the decoder on [batch, t] tokens at positions past..past+t-1; returns the final-normed hidden states. */
    private NDArray run(NDManager scope, long[] flatIds, int batch, int t, int[] lengths, Cache cache, int past) {
        int s = past + t;
        checkWindow(s);
        int heads = config.numHeads();
        int kv = config.numKvHeads();
        int group = heads / kv;
        int d = config.headDim();

        NDArray ids = scope.create(flatIds, new Shape(batch, t));
        NDArray x = Embedding.embedding(ids, embed, SparseFormat.DENSE).singletonOrThrow();

        // rotary tables [1, 1, t, d]: cat(freqs, freqs), freqs = position * inv_freq in float32
        int half = d / 2;
        float[] cos = new float[t * d];
        float[] sin = new float[t * d];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) (past + i) * invFreq[j];
                float c = (float) Math.cos(angle);
                float sn = (float) Math.sin(angle);
                cos[i * d + j] = c;
                cos[i * d + half + j] = c;
                sin[i * d + j] = sn;
                sin[i * d + half + j] = sn;
            }
        }
        NDArray cosA = scope.create(cos, new Shape(1, 1, t, d));
        NDArray sinA = scope.create(sin, new Shape(1, 1, t, d));

        // additive mask [batch, 1, 1, t, s]: key j visible to query i iff j <= past + i and j < past + length
        float[] mask = new float[batch * t * s];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < t; i++) {
                int base = (b * t + i) * s;
                for (int j = 0; j < s; j++) {
                    boolean visible = j <= past + i && j < past + lengths[b];
                    mask[base + j] = visible ? 0f : MASKED;
                }
            }
        }
        NDArray maskA = scope.create(mask, new Shape(batch, 1, 1, t, s));
        // scalars as arrays of the scope: DJL's op(Number) closes its scalar array on return, and autograd (training)
        // reads it in the backward pass, so graph inputs must stay open until the scope closes
        NDArray scale = scope.create((float) (1.0 / Math.sqrt(d)));
        NDArray eps = scope.create((float) config.rmsNormEps());
        NDArray minusOne = scope.create(-1f);

        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            NDArray h = rmsNorm(x, w.inNorm, eps, minusOne);
            NDArray q = Linear.linear(h, w.q, w.qb).singletonOrThrow().reshape(batch, t, heads, d);
            NDArray k = Linear.linear(h, w.k, w.kb).singletonOrThrow().reshape(batch, t, kv, d);
            NDArray v = Linear.linear(h, w.v, w.vb).singletonOrThrow().reshape(batch, t, kv, d);
            if (config.qkNorm()) {
                q = rmsNorm(q, w.qNorm, eps, minusOne);
                k = rmsNorm(k, w.kNorm, eps, minusOne);
            }
            q = rope(q.transpose(0, 2, 1, 3), cosA, sinA, half);
            k = rope(k.transpose(0, 2, 1, 3), cosA, sinA, half);
            NDArray kT = k.transpose(0, 1, 3, 2);
            v = v.transpose(0, 2, 1, 3);
            if (cache != null) {
                NDArray[] full = cache.append(l, kT, v);
                kT = full[0];
                v = full[1];
            }
            // grouped-query attention without repeating k/v: query head h uses kv head h / group
            NDArray scores = q.reshape(batch, kv, (long) group * t, d).matMul(kT).mul(scale);
            NDArray probs = scores.reshape(batch, kv, group, t, s).add(maskA).softmax(-1)
                    .reshape(batch, kv, (long) group * t, s);
            NDArray attn = probs.matMul(v).reshape(batch, heads, t, d).transpose(0, 2, 1, 3)
                    .reshape(batch, t, (long) heads * d);
            x = x.add(Linear.linear(attn, w.o, w.ob).singletonOrThrow());

            h = rmsNorm(x, w.postNorm, eps, minusOne);
            NDArray gate = Linear.linear(h, w.gate).singletonOrThrow();
            NDArray up = Linear.linear(h, w.up).singletonOrThrow();
            NDArray act = gate.mul(Activation.sigmoid(gate)).mul(up);
            x = x.add(Linear.linear(act, w.down).singletonOrThrow());
        }
        return rmsNorm(x, finalNorm, eps, minusOne);
    }

    private static NDArray rmsNorm(NDArray x, NDArray weight, NDArray eps, NDArray minusOne) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.mul(variance.add(eps).sqrt().pow(minusOne)).mul(weight);
    }

    /** x * cos + rotate_half(x) * sin, rotate_half(x) = cat(-x2, x1) of the two halves of the last axis. */
    private static NDArray rope(NDArray x, NDArray cos, NDArray sin, int half) {
        NDArray x1 = x.get(new NDIndex(":, :, :, :{}", half));
        NDArray x2 = x.get(new NDIndex(":, :, :, {}:", half));
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    // ---------------------------------------------------------------- checks

    private int checkBatch(long[][] tokenIds, int[] lengths) {
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
                    throw new ModelException("forward: token " + tokenIds[b][j] + " at sequence " + b + " position "
                            + j + " is outside the vocabulary (vocab_size " + config.vocabSize() + ")");
                }
            }
        }
        checkWindow(t);
        return t;
    }

    private void checkToken(int token, String what) {
        if (token < 0 || token >= config.vocabSize()) {
            throw new ModelException(what + " token " + token + " is outside the vocabulary (vocab_size "
                    + config.vocabSize() + ")");
        }
    }

    private void checkWindow(int length) {
        Integer window = config.slidingWindow();
        if (window != null && length > window) {
            throw new ModelException("sequence length " + length + " exceeds sliding_window " + window
                    + " of " + config.architecture().className() + "; sliding-window attention is not implemented");
        }
    }

    /** Right-padded [batch * t] ids; padding positions get token 0 (masked out as keys). */
    private static long[] flatten(long[][] tokenIds, int[] lengths, int t) {
        long[] flat = new long[tokenIds.length * t];
        for (int b = 0; b < tokenIds.length; b++) {
            System.arraycopy(tokenIds[b], 0, flat, b * t, lengths[b]);
        }
        return flat;
    }
}
