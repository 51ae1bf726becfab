package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import java.util.HashMap;
import java.util.List;
import java.util.SplittableRandom;

/**
 * mergekit's {@code arcee_fusion}: importance = |x - base| * KL(softmax(x) || softmax(base)) along the last axis;
 * keep the delta where importance >= median + 1.5 IQR. Quantiles come from a sample of 1,000,000 entries for
 * larger tensors, drawn from the seeded per-tensor generator (mergekit's draw is unseeded).
 */
public final class ArceeFusionMerge implements MergeMethod {
    private static final int SAMPLE = 1_000_000;

    @Override
    public String name() {
        return "arcee_fusion";
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    @Override
    public boolean random() {
        return true;
    }

    @Override
    public void validate(Params global, List<Params> perInput, List<String> models, int baseIndex) {
        if (perInput.size() != 2 || baseIndex < 0) {
            throw new MergeException("arcee_fusion merges exactly two models, the base and one other, got " + models);
        }
    }

    @Override
    public NDArray merge(MergeInput in) {
        if (in.size() == 1) {
            return in.tensors().get(0);
        }
        List<NDArray> xs = Nd.rectifyEmbeds(in, List.of(in.base(), in.tensors().get(in.others()[0])));
        NDArray base = xs.get(0);
        NDArray x = xs.get(1);
        float eps = 1e-8f;
        NDArray p = x.softmax(-1).add(eps);
        NDArray q = base.softmax(-1).add(eps);
        NDArray kl = p.mul(p.div(q).log()).sum(new int[] {-1}, true);
        NDArray delta = x.sub(base);
        NDArray importance = delta.abs().mul(kl);
        double threshold = threshold(importance, in.random().generator(0));
        return base.add(delta.mul(Nd.toFloat(importance.gte((float) threshold))));
    }

    private static double threshold(NDArray importance, SplittableRandom rng) {
        NDArray flat = importance.flatten();
        long n = flat.size();
        if (n > SAMPLE) {
            // partial Fisher-Yates: SAMPLE distinct positions, like torch.randperm(n)[:SAMPLE]
            long[] pick = new long[SAMPLE];
            HashMap<Long, Long> swapped = new HashMap<>();
            for (int i = 0; i < SAMPLE; i++) {
                long j = i + rng.nextLong(n - i);
                long vj = swapped.getOrDefault(j, j);
                long vi = swapped.getOrDefault((long) i, (long) i);
                swapped.put(j, vi);
                pick[i] = vj;
            }
            flat = flat.get(flat.getManager().create(pick));
            n = SAMPLE;
        }
        NDArray sorted = flat.sort();
        double median = sorted.getFloat((long) (0.5 * (n - 1)));
        double q1 = sorted.getFloat((long) (0.25 * (n - 1)));
        double q3 = sorted.getFloat((long) (0.75 * (n - 1)));
        return median + 1.5 * (q3 - q1);
    }
}
