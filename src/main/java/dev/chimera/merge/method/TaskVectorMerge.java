package dev.chimera.merge.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task-vector family (mergekit's {@code generalized_task_arithmetic.py}): task vectors d_i = x_i - base,
 * optional sparsification, weighting, optional TIES sign consensus, optional normalisation by the (masked) weight
 * sum, scaling by lambda. Like mergekit's registry, each method of the family (task_arithmetic, ties, dare_ties,
 * dare_linear, breadcrumbs, breadcrumbs_ties, della, della_linear) is one instance with its own sparsifier,
 * consensus and defaults of {@code normalize} and {@code rescale}; see {@link MergeMethods}.
 */
public final class TaskVectorMerge implements MergeMethod {
    private static final Logger LOG = LoggerFactory.getLogger(TaskVectorMerge.class);

    private final String name;
    private final Sparsifier sparsifier;
    private final boolean signConsensus;
    private final boolean defaultNormalize;
    private final boolean defaultRescale;

    /**
     * @param name             mergekit name
     * @param sparsifier       how task vectors are thinned, or null
     * @param signConsensus    TIES sign election (mergekit's consensus "sum")
     * @param defaultNormalize default of the {@code normalize} parameter
     * @param defaultRescale   default of the {@code rescale} parameter (L1 rescaling after sparsification)
     */
    public TaskVectorMerge(
            String name,
            Sparsifier sparsifier,
            boolean signConsensus,
            boolean defaultNormalize,
            boolean defaultRescale) {
        this.name = name;
        this.sparsifier = sparsifier;
        this.signConsensus = signConsensus;
        this.defaultNormalize = defaultNormalize;
        this.defaultRescale = defaultRescale;
    }

    @Override
    public String name() {
        return name;
    }

    public Sparsifier sparsifier() {
        return sparsifier;
    }

    public boolean signConsensus() {
        return signConsensus;
    }

    @Override
    public List<ParamDef> globalParams() {
        return List.of(
                ParamDef.optional("int8_mask", false),
                ParamDef.optional("normalize", defaultNormalize),
                ParamDef.optional("rescale", defaultRescale),
                ParamDef.optional("lambda", 1.0));
    }

    @Override
    public List<ParamDef> tensorParams() {
        List<ParamDef> p = new ArrayList<>(List.of(ParamDef.required("weight"), ParamDef.optional("density", 1.0)));
        if (sparsifier == Sparsifier.MAGNITUDE_OUTLIERS) {
            p.add(ParamDef.optional("gamma", 0.01));
        }
        if (sparsifier == Sparsifier.DELLA_MAGPRUNE) {
            p.add(ParamDef.optional("epsilon", 0.15));
        }
        return p;
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    @Override
    public boolean trimsEmbeddingsToBase() {
        return true;
    }

    @Override
    public boolean random() {
        return sparsifier == Sparsifier.RANDOM || sparsifier == Sparsifier.DELLA_MAGPRUNE;
    }

    @Override
    public void validate(Params global, List<Params> perInput, List<String> models, int baseIndex) {
        global.number("lambda");
        for (int i = 0; i < perInput.size(); i++) {
            if (i == baseIndex) {
                continue;
            }
            Params p = perInput.get(i);
            p.number("weight");
            double density = p.number("density");
            if (!(density >= 0 && density <= 1)) {
                throw new MergeException(
                        name() + ": density " + density + " of " + models.get(i) + p.where() + " is outside [0, 1]");
            }
            if (sparsifier == Sparsifier.MAGNITUDE_OUTLIERS) {
                double gamma = p.number("gamma");
                if (!(gamma >= 0 && gamma <= 1)) {
                    throw new MergeException(
                            name() + ": gamma " + gamma + " of " + models.get(i) + p.where() + " is outside [0, 1]");
                }
            }
            if (sparsifier == Sparsifier.DELLA_MAGPRUNE) {
                Sparsifier.checkDella(density, p.number("epsilon"), " for " + models.get(i) + p.where());
            }
        }
    }

    @Override
    public NDArray merge(MergeInput in) {
        if (!in.hasBase()) {
            throw new MergeException(name() + " needs a base_model (tensor " + in.tensorName() + ")");
        }
        NDArray base = in.base();
        Shape bs = base.getShape();
        boolean rescale = in.global().bool("rescale");
        List<NDArray> weighted = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (int i : in.others()) {
            NDArray x = in.tensors().get(i);
            Params p = in.perInput().get(i);
            if (!x.getShape().equals(bs)) {
                if (in.embed()
                        && bs.dimension() == 2
                        && x.getShape().dimension() == 2
                        && x.getShape().get(0) >= bs.get(0)
                        && x.getShape().get(1) >= bs.get(1)) {
                    LOG.warn("using the {} sub-matrix of {}:{}", bs, in.models().get(i), in.tensorName());
                    x = Nd.submatrix(x, bs.get(0), bs.get(1));
                } else if (in.embed()) {
                    throw new MergeException("tensor " + in.tensorName() + ": "
                            + in.models().get(i) + " has shape " + x.getShape() + ", smaller than the base's " + bs
                            + "; give tokenizer_source or a base with the smaller vocabulary");
                } else {
                    // mergekit skips such inputs with a warning; a silently different model is worse, so refuse.
                    throw new MergeException("tensor " + in.tensorName() + ": shape " + x.getShape() + " in "
                            + in.models().get(i) + " differs from " + bs + " in the base model "
                            + in.models().get(in.baseIndex()));
                }
            }
            NDArray delta = x.sub(base);
            if (sparsifier != null) {
                Sparsifier.Extra extra = new Sparsifier.Extra(
                        p.has("gamma") ? p.number("gamma") : 0,
                        p.has("epsilon") ? p.number("epsilon") : 0,
                        in.random(),
                        i,
                        " for " + in.models().get(i));
                delta = sparsifier.apply(delta, p.number("density"), rescale, extra);
            }
            double w = p.number("weight");
            weights.add(w);
            weighted.add(delta.mul((float) w));
        }
        if (weighted.isEmpty()) {
            return base;
        }
        NDArray mixed;
        NDArray divisor = null;
        double scalarDivisor = 1;
        if (signConsensus) {
            NDArray majority = TiesMask.majoritySign(weighted);
            mixed = null;
            for (int k = 0; k < weighted.size(); k++) {
                NDArray m = TiesMask.agrees(weighted.get(k), majority);
                NDArray contrib = weighted.get(k).mul(m);
                NDArray wm = m.mul(weights.get(k).floatValue());
                mixed = mixed == null ? contrib : mixed.add(contrib);
                divisor = divisor == null ? wm : divisor.add(wm);
            }
            divisor = divisor.add(divisor.eq(0).toType(DataType.FLOAT32, false));
        } else {
            mixed = weighted.get(0);
            for (int k = 1; k < weighted.size(); k++) {
                mixed = mixed.add(weighted.get(k));
            }
            // sum in float32 like torch, so the 1e-8 test sees the same value
            float sum = 0;
            for (double w : weights) {
                sum += (float) w;
            }
            scalarDivisor = Math.abs(sum) < 1e-8 ? 1 : sum;
        }
        if (in.global().bool("normalize")) {
            mixed = divisor != null ? mixed.div(divisor) : mixed.div((float) scalarDivisor);
        }
        double lambda = in.global().number("lambda");
        if (lambda != 1) {
            mixed = mixed.mul((float) lambda);
        }
        return base.add(mixed);
    }
}
