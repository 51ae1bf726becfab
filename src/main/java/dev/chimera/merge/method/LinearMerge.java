package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** mergekit's {@code linear}: sum_i w_i x_i, divided by sum_i w_i when {@code normalize} (default true). */
public final class LinearMerge implements MergeMethod {
    @Override
    public String name() {
        return "linear";
    }

    @Override
    public List<ParamDef> globalParams() {
        return List.of(ParamDef.optional("normalize", true));
    }

    @Override
    public List<ParamDef> tensorParams() {
        return List.of(ParamDef.required("weight"));
    }

    @Override
    public void validate(Params global, List<Params> perInput, List<String> models, int baseIndex) {
        double sum = 0;
        for (int i = 0; i < perInput.size(); i++) {
            if (!perInput.get(i).has("weight")) {
                throw new MergeException("linear: model " + models.get(i) + " has no 'weight'"
                        + perInput.get(i).where());
            }
            sum += perInput.get(i).number("weight");
        }
        if (global.bool("normalize") && sum == 0) {
            throw new MergeException(
                    "linear: the weights sum to 0" + perInput.get(0).where() + ", so normalize would divide by zero");
        }
    }

    @Override
    public NDArray merge(MergeInput in) {
        List<NDArray> xs = Nd.rectifyEmbeds(in, in.tensors());
        Nd.requireSameShape(in, xs, in.models());
        NDArray acc = null;
        double wsum = 0;
        for (int i = 0; i < xs.size(); i++) {
            double w = in.perInput().get(i).number("weight");
            wsum += w;
            NDArray term = xs.get(i).mul((float) w);
            acc = acc == null ? term : acc.add(term);
        }
        return in.global().bool("normalize") ? acc.div((float) wsum) : acc;
    }
}
