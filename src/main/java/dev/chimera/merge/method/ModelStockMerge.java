package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * mergekit's {@code model_stock}: with N fine-tunes around a base, cos = mean pairwise cosine of their offsets,
 * t = N cos / (1 + (N - 1) cos), output t * mean(x_i) + (1 - t) * base. {@code filter_wise} computes it per row.
 */
public final class ModelStockMerge implements MergeMethod {
    @Override
    public String name() {
        return "model_stock";
    }

    @Override
    public List<ParamDef> globalParams() {
        return List.of(ParamDef.optional("filter_wise", false));
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    @Override
    public void validate(Params global, List<Params> perInput, List<String> models, int baseIndex) {
        if (perInput.size() < 3 || baseIndex < 0) {
            throw new MergeException("model_stock needs a base model plus at least two others, got " + models);
        }
    }

    @Override
    public NDArray merge(MergeInput in) {
        if (in.size() == 1 && in.hasBase()) {
            return in.base();
        }
        List<NDArray> all = new ArrayList<>();
        all.add(in.base());
        all.addAll(Nd.pick(in, in.others()));
        all = Nd.rectifyEmbeds(in, all);
        NDArray w0 = all.get(0);
        Shape out = w0.getShape();
        boolean filterWise = in.global().bool("filter_wise");
        List<NDArray> ws = new ArrayList<>(all.subList(1, all.size()));
        if (filterWise) {
            if (w0.getShape().dimension() == 1) {
                w0 = w0.reshape(1, -1);
                ws.replaceAll(w -> w.reshape(1, -1));
            }
        } else {
            w0 = w0.flatten();
            ws.replaceAll(NDArray::flatten);
        }
        List<NDArray> offsets = new ArrayList<>();
        for (NDArray w : ws) {
            offsets.add(w.sub(w0));
        }
        List<NDArray> cos = new ArrayList<>();
        for (int i = 0; i < offsets.size(); i++) {
            for (int j = i + 1; j < offsets.size(); j++) {
                NDArray a = offsets.get(i);
                NDArray b = offsets.get(j);
                NDArray normProduct = a.norm(new int[] {-1}, false).mul(b.norm(new int[] {-1}, false));
                cos.add(a.mul(b)
                        .sum(new int[] {-1})
                        .div(normProduct.clip(1e-6f, Float.MAX_VALUE))
                        .clip(-1f, 1f));
            }
        }
        NDArray c = NDArrays.stack(new NDList(cos)).mean(new int[] {0}).expandDims(-1);
        int n = ws.size();
        NDArray t = c.mul(n).div(c.mul(n - 1).add(1));
        NDArray avg = ws.get(0);
        for (int k = 1; k < n; k++) {
            avg = avg.add(ws.get(k));
        }
        avg = avg.div(n);
        return t.mul(avg).add(t.neg().add(1).mul(w0)).reshape(out);
    }
}
