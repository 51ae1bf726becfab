package dev.chimera.zoo;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.chimera.model.CausalLM;
import dev.chimera.model.CheckpointLayout;
import dev.chimera.model.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Trains a Llama-architecture {@link CausalLM} with DJL's PyTorch autograd on the CPU.
 *
 * <p>The forward pass is Chimera's own inference forward ({@link CausalLM#forwardKeepingGraph}, the same computation
 * as {@link CausalLM#forward}) over weights that record gradients, so a trained model computes exactly what the
 * inference engine will compute from its files. The loss is
 * the mean cross-entropy over completion tokens (each example's completion and the EOS token after it; the prompt is
 * context only). The optimizer is AdamW (decoupled weight decay on matrices, not on norm weights) with global-norm
 * gradient clipping, linear warm-up and a cosine decay to a floor, written on NDArrays.
 *
 * <p>Memory: the weights and the two Adam moments live in the trainer's manager; everything a step creates lives in
 * a per-step sub-manager closed at the end of the step, so the number of live arrays stays constant
 * ({@link #liveArrays()}).
 */
public final class Trainer implements AutoCloseable {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.98;
    private static final double EPS = 1e-8;

    /**
     * One training run.
     *
     * @param steps optimizer steps
     * @param batch examples per step
     * @param lr peak learning rate
     * @param warmup linear warm-up steps
     * @param minLrFraction the cosine ends at lr x this
     * @param weightDecay AdamW decoupled decay (matrices only)
     * @param clip global gradient-norm limit (0: none)
     * @param trainable regular expression over tensor names: only matching tensors are updated (empty: all)
     * @param tokenRows characters whose rows of the token embedding and the output head are updated, the other rows
     *     stay as they are, as when only a new language's added tokens are trained (empty: all rows)
     */
    public record Settings(
            int steps,
            int batch,
            double lr,
            int warmup,
            double minLrFraction,
            double weightDecay,
            double clip,
            String trainable,
            String tokenRows) {
        public Settings(
                int steps, int batch, double lr, int warmup, double minLrFraction, double weightDecay, double clip) {
            this(steps, batch, lr, warmup, minLrFraction, weightDecay, clip, "", "");
        }

        public Settings(
                int steps,
                int batch,
                double lr,
                int warmup,
                double minLrFraction,
                double weightDecay,
                double clip,
                String trainable) {
            this(steps, batch, lr, warmup, minLrFraction, weightDecay, clip, trainable, "");
        }

        public Settings {
            check(steps >= 0, "steps", steps);
            check(batch >= 1, "batch", batch);
            check(lr > 0 && Double.isFinite(lr), "lr", lr);
            check(warmup >= 0, "warmup", warmup);
            check(minLrFraction >= 0 && minLrFraction <= 1, "minLrFraction", minLrFraction);
            check(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay);
            check(clip >= 0 && Double.isFinite(clip), "clip", clip);
            check(trainable != null, "trainable", trainable);
            check(tokenRows != null, "tokenRows", tokenRows);
            for (char c : tokenRows.toCharArray()) {
                check(CharVocab.CHARS.indexOf(c) >= 0, "tokenRows", tokenRows);
            }
            try {
                Pattern.compile(trainable);
            } catch (PatternSyntaxException e) {
                throw new ZooException("training setting trainable = " + trainable + " is not a regular expression: "
                        + e.getDescription());
            }
        }

        /** Whether this run updates the tensor {@code name}. */
        public boolean trains(String name) {
            return trainable.isEmpty() || name.matches(trainable);
        }

        private static void check(boolean ok, String name, Object value) {
            if (!ok) {
                throw new ZooException("training setting " + name + " = " + value + " is out of range");
            }
        }

        public Settings withSteps(int s) {
            return new Settings(s, batch, lr, warmup, minLrFraction, weightDecay, clip, trainable, tokenRows);
        }

        /** Learning rate at a step (0-based): linear warm-up to lr, then cosine to lr x minLrFraction. */
        public double lrAt(int step) {
            if (step < warmup) {
                return lr * (step + 1) / warmup;
            }
            int rest = Math.max(1, steps - warmup);
            double progress = Math.min(1.0, (double) (step - warmup) / rest);
            return lr * (minLrFraction + (1 - minLrFraction) * 0.5 * (1 + Math.cos(Math.PI * progress)));
        }
    }

    /** Draws one training example. */
    @FunctionalInterface
    public interface Source {
        Languages.Example next(Random random);
    }

    /** Called after every step with the step index (0-based), its loss and learning rate. */
    @FunctionalInterface
    public interface Listener {
        void step(int step, double loss, double lr);
    }

    /** A weighted mixture of sources. */
    public static final class Mixture implements Source {
        private final List<Source> sources = new ArrayList<>();
        private final List<Double> weights = new ArrayList<>();
        private double total;

        public Mixture add(double weight, Source source) {
            if (!(weight > 0) || !Double.isFinite(weight)) {
                throw new ZooException("mixture weight " + weight + " must be positive");
            }
            sources.add(source);
            weights.add(weight);
            total += weight;
            return this;
        }

        @Override
        public Languages.Example next(Random random) {
            if (sources.isEmpty()) {
                throw new ZooException("empty training mixture");
            }
            double u = random.nextDouble() * total;
            for (int i = 0; i < sources.size(); i++) {
                u -= weights.get(i);
                if (u < 0) {
                    return sources.get(i).next(random);
                }
            }
            return sources.get(sources.size() - 1).next(random);
        }
    }

    private final ModelConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final CausalLM model;

    /** A trainer over a copy of {@code weights} (float32 host arrays by tensor name, all of the config's tensors). */
    public Trainer(ModelConfig config, Map<String, float[]> weights) {
        this.config = config;
        this.manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        try {
            for (Map.Entry<String, long[]> e :
                    CheckpointLayout.expectedShapes(config).entrySet()) {
                float[] w = weights.get(e.getKey());
                if (w == null) {
                    throw new ZooException("missing weight " + e.getKey());
                }
                NDArray a = manager.create(w, new Shape(e.getValue()));
                a.setRequiresGradient(true);
                params.put(e.getKey(), a);
            }
            this.model = CausalLM.fromWeights(config, params);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Initial weights for a seed: norm weights 1, other matrices N(0, 0.02), residual output projections (o_proj,
     * down_proj) N(0, 0.02 / sqrt(2 layers)). Drawn in Java, tensor by tensor, so they depend only on the seed.
     */
    public static Map<String, float[]> initialWeights(ModelConfig config, long seed) {
        Map<String, float[]> w = new LinkedHashMap<>();
        int index = 0;
        double residual = 0.02 / Math.sqrt(2.0 * config.numLayers());
        for (Map.Entry<String, long[]> e :
                CheckpointLayout.expectedShapes(config).entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            float[] v = new float[Math.toIntExact(n)];
            if (e.getValue().length == 1) {
                Arrays.fill(v, 1f);
            } else {
                String name = e.getKey();
                double std = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight") ? residual : 0.02;
                SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index * 7_919L + 11);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (std * gaussian(r));
                }
            }
            w.put(e.getKey(), v);
            index++;
        }
        return w;
    }

    /** A standard normal draw (Box-Muller), independent of the JDK version's nextGaussian. */
    private static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    public ModelConfig config() {
        return config;
    }

    /** The model over the trainer's current weights (valid until the trainer is closed). */
    public CausalLM model() {
        return model;
    }

    /** Arrays alive in the trainer's manager and its sub-managers. */
    public int liveArrays() {
        return manager.getManagedArrays().size();
    }

    /** The current weights copied to host arrays, in checkpoint order. */
    public Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    /** A padded batch: inputs, lengths, next-token targets and the completion mask. */
    record Batch(long[][] inputs, int[] lengths, long[] targets, float[] mask, int width, int count) {
        static Batch of(List<Languages.Example> examples) {
            return of(examples, t -> t);
        }

        /** {@code targets} maps each next-token target (e.g. a letter of B to the same letter of A). */
        static Batch of(List<Languages.Example> examples, IntUnaryOperator targetMap) {
            int n = examples.size();
            int[][] ids = new int[n][];
            int[] starts = new int[n];
            int width = 0;
            for (int i = 0; i < n; i++) {
                Languages.Example e = examples.get(i);
                int[] p = CharVocab.encode(e.prompt());
                int[] c = CharVocab.encode(e.completion());
                ids[i] = new int[p.length + c.length + 1];
                System.arraycopy(p, 0, ids[i], 0, p.length);
                System.arraycopy(c, 0, ids[i], p.length, c.length);
                ids[i][ids[i].length - 1] = CharVocab.EOS;
                starts[i] = p.length;
                width = Math.max(width, ids[i].length - 1);
            }
            long[][] inputs = new long[n][width];
            int[] lengths = new int[n];
            long[] targets = new long[n * width];
            float[] mask = new float[n * width];
            int count = 0;
            for (int i = 0; i < n; i++) {
                int len = ids[i].length - 1;
                lengths[i] = len;
                for (int j = 0; j < len; j++) {
                    inputs[i][j] = ids[i][j];
                    targets[i * width + j] = targetMap.applyAsInt(ids[i][j + 1]);
                    if (j + 1 >= starts[i]) {
                        mask[i * width + j] = 1f;
                        count++;
                    }
                }
            }
            return new Batch(inputs, lengths, targets, mask, width, count);
        }
    }

    /** Mean completion-token cross-entropy (nats) of {@code examples} under the current weights; no gradients. */
    public double loss(List<Languages.Example> examples) {
        try (NDManager scope = manager.newSubManager()) {
            return lossArray(scope, Batch.of(examples), false).getFloat();
        }
    }

    private NDArray lossArray(NDManager scope, Batch b, boolean training) {
        int n = b.inputs().length;
        // training keeps the whole graph (ids, rotary tables) alive in scope until the backward pass has run
        NDArray logp = training
                ? model.forwardKeepingGraph(scope, b.inputs(), b.lengths(), true)
                : model.forward(scope, b.inputs(), b.lengths(), true);
        NDArray target = scope.create(b.targets(), new Shape(n, b.width(), 1));
        NDArray mask = scope.create(b.mask(), new Shape(n, b.width()));
        NDArray picked = logp.gather(target, 2).reshape(n, b.width());
        // a scalar array of the scope, not div(Number): DJL closes that scalar on return, autograd reads it later
        return picked.mul(mask).sum().div(scope.create(-(float) b.count()));
    }

    /**
     * Runs {@code settings.steps()} AdamW steps on batches drawn from {@code source} with a generator seeded by
     * {@code seed}; the Adam moments start at zero. Returns the loss of every step.
     */
    public double[] train(Settings settings, Source source, long seed, Listener listener) {
        return train(settings, source, seed, listener, t -> t);
    }

    /**
     * {@link #train} with every target token passed through {@code targets}: reading one language while predicting
     * another, token for token.
     */
    public double[] train(Settings settings, Source source, long seed, Listener listener, IntUnaryOperator targets) {
        if (params.keySet().stream().noneMatch(settings::trains)) {
            throw new ZooException("training setting trainable = " + settings.trainable() + " matches no tensor of "
                    + params.keySet());
        }
        Random random = new Random(seed);
        Engine engine = manager.getEngine();
        Map<String, NDArray[]> moments = new LinkedHashMap<>();
        double[] losses = new double[settings.steps()];
        try (NDManager state = manager.newSubManager()) {
            for (Map.Entry<String, NDArray> p : params.entrySet()) {
                NDArray m = state.zeros(p.getValue().getShape(), DataType.FLOAT32);
                NDArray v = state.zeros(p.getValue().getShape(), DataType.FLOAT32);
                moments.put(p.getKey(), new NDArray[] {m, v});
            }
            NDArray rows = rowMask(state, settings, config.vocabSize()); // once per run, not per step
            // the in-place parameter updates need autograd off on this thread: PyTorch keeps the mode per thread, only
            // the thread that loaded the engine starts with it off, and each GradientCollector restores what it found
            JniUtils.setGradMode(false);
            for (int step = 0; step < settings.steps(); step++) {
                List<Languages.Example> examples = new ArrayList<>(settings.batch());
                for (int i = 0; i < settings.batch(); i++) {
                    examples.add(source.next(random));
                }
                Batch batch = Batch.of(examples, targets);
                double lr = settings.lrAt(step);
                try (NDManager scope = manager.newSubManager()) {
                    NDArray loss;
                    try (GradientCollector collector = engine.newGradientCollector()) {
                        loss = lossArray(scope, batch, true);
                        collector.backward(loss);
                    }
                    losses[step] = loss.getFloat();
                    if (!Double.isFinite(losses[step])) {
                        throw new ZooException(
                                "training diverged: loss " + losses[step] + " at step " + step + " (lr " + lr + ")");
                    }
                    update(scope, moments, rows, settings, step, lr);
                }
                listener.step(step, losses[step], lr);
            }
        }
        return losses;
    }

    /** [vocab, 1] ones on the rows of {@code s.tokenRows()}, zeros elsewhere; null when every row trains. */
    private static NDArray rowMask(NDManager scope, Settings s, long vocab) {
        if (s.tokenRows().isEmpty()) {
            return null;
        }
        float[] m = new float[Math.toIntExact(vocab)];
        for (int id : CharVocab.encode(s.tokenRows())) {
            m[id] = 1f;
        }
        return scope.create(m, new Shape(vocab, 1));
    }

    private static boolean isTokenMatrix(String name) {
        return name.equals("model.embed_tokens.weight") || name.equals("lm_head.weight");
    }

    private void update(
            NDManager scope, Map<String, NDArray[]> moments, NDArray rows, Settings s, int step, double lr) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        NDArray sq = null;
        for (Map.Entry<String, NDArray> p : params.entrySet()) {
            NDArray g = p.getValue().getGradient();
            g.attach(scope);
            grads.put(p.getKey(), g);
            if (!s.trains(p.getKey())) {
                continue;
            }
            if (rows != null && isTokenMatrix(p.getKey())) {
                g.muli(rows); // frozen rows get no gradient, so no moment and no step either
            }
            NDArray s2 = g.square().sum();
            sq = sq == null ? s2 : sq.add(s2);
        }
        double norm = Math.sqrt(sq.getFloat());
        float scale = s.clip() > 0 && norm > s.clip() ? (float) (s.clip() / norm) : 1f;
        double bc1 = 1 - Math.pow(BETA1, step + 1);
        double bc2 = 1 - Math.pow(BETA2, step + 1);
        for (Map.Entry<String, NDArray> p : params.entrySet()) {
            NDArray w = p.getValue();
            NDArray g = grads.get(p.getKey());
            NDArray[] mv = moments.get(p.getKey());
            if (!s.trains(p.getKey())) {
                g.subi(g); // frozen: the gradient is dropped
                continue;
            }
            if (scale != 1f) {
                g.muli(scale);
            }
            mv[0].muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
            mv[1].muli((float) BETA2).addi(g.square().muli((float) (1 - BETA2)));
            NDArray denom = local(scope, mv[1].div((float) bc2)).sqrt().addi((float) EPS);
            NDArray step1 = local(scope, mv[0].div((float) bc1)).divi(denom);
            if (s.weightDecay() > 0 && w.getShape().dimension() > 1) {
                if (rows != null && isTokenMatrix(p.getKey())) {
                    w.subi(local(scope, w.mul(rows)).muli((float) (lr * s.weightDecay())));
                } else {
                    w.muli((float) (1 - lr * s.weightDecay()));
                }
            }
            w.subi(step1.muli((float) lr));
            g.subi(g); // zero the accumulated gradient in place for the next step
        }
    }

    private static NDArray local(NDManager scope, NDArray a) {
        a.attach(scope);
        return a;
    }

    @Override
    public void close() {
        model.close();
        manager.close();
    }
}
