package dev.chimera.merge;

import dev.chimera.merge.method.MergeException;
import dev.chimera.merge.method.MergeMethod;
import dev.chimera.merge.method.MergeMethods;
import dev.chimera.merge.method.ParamDef;
import dev.chimera.merge.method.Params;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@link MergeConfig} into a {@link MergePlan}, following mergekit's {@code plan.py}: {@code models:} become
 * one slice over every layer (the base model is added when not listed); each output layer takes the same relative
 * layer from every source of its slice; parameters resolve per tensor with precedence per-model > slice > global,
 * gradients interpolated at t = j / (L - 1) within each slice; embeddings come from the first slice's sources and
 * the final norm / lm_head from the last slice's, planned at t = 0.
 */
public final class MergePlanner {
    private static final Pattern LAYER = Pattern.compile("^(.*?\\.layers\\.)(\\d+)\\.(.+)$");

    private final MergeConfig config;
    private final Function<String, SourceModel> models;
    private final MergeMethod method;
    private VocabPlan vocabPlan;

    /** The output vocabulary when {@code tokenizer_source} is given: token -> output id, and each model's ids. */
    private record VocabPlan(
            String tokenizerFrom,
            Map<String, Integer> out,
            int size,
            Map<String, TokenizerVocab> models,
            boolean union) {}

    public MergePlanner(MergeConfig config, Function<String, SourceModel> models) {
        this.config = config;
        this.models = models;
        this.method = MergeMethods.get(config.mergeMethod());
    }

    public static MergePlan plan(MergeConfig config, Function<String, SourceModel> models) {
        return new MergePlanner(config, models).plan();
    }

    public MergePlan plan() {
        DType inDtype = dtype(config.dtype(), "dtype");
        DType outDtype = dtype(config.outDtype(), "out_dtype");
        List<MergeConfig.OutputSlice> slices = normalizedSlices();
        vocabPlan = config.tokenizerSource() == null ? null : vocabPlan();
        List<TensorMerge> out = new ArrayList<>();
        MergeConfig.OutputSlice first = slices.get(0);
        MergeConfig.OutputSlice last = slices.get(slices.size() - 1);
        List<String> pre = new ArrayList<>();
        List<String> post = new ArrayList<>();
        for (String name : nonLayerNames(first)) {
            if (isPre(name)) {
                pre.add(name);
            }
        }
        for (String name : nonLayerNames(last)) {
            if (!isPre(name)) {
                post.add(name);
            }
        }
        for (String name : pre) {
            addTensor(out, first, name, src -> name, 0, inDtype, outDtype);
        }
        int outLayer = 0;
        for (int si = 0; si < slices.size(); si++) {
            MergeConfig.OutputSlice slice = slices.get(si);
            int len = slice.sources().get(0).length();
            for (int offset = 0; offset < len; offset++) {
                double t = len > 1 ? (double) offset / (len - 1) : 1;
                MergeConfig.InputSlice lead = slice.sources().get(0);
                SourceModel leadModel = model(lead.model());
                int srcLayer = lead.start() + offset;
                for (String name : leadModel.tensorNames()) {
                    Matcher m = LAYER.matcher(name);
                    if (!m.matches() || Integer.parseInt(m.group(2)) != srcLayer) {
                        continue;
                    }
                    String prefix = m.group(1);
                    String suffix = m.group(3);
                    final int off = offset;
                    addTensor(
                            out,
                            slice,
                            prefix + outLayer + "." + suffix,
                            src -> prefix + (src.start() + off) + "." + suffix,
                            t,
                            inDtype,
                            outDtype);
                }
                outLayer++;
            }
        }
        for (String name : post) {
            addTensor(out, last, name, src -> name, 0, inDtype, outDtype);
        }
        long vocab = -1;
        for (TensorMerge tm : out) {
            if (tm.output().contains("embed_tokens") && tm.outShape().length == 2) {
                vocab = tm.outShape()[0];
            }
        }
        String donor = config.baseModel() != null
                ? config.baseModel()
                : config.referencedModels().get(0);
        String dtypeName = outDtype != null ? outDtype.torchName() : inDtype != null ? inDtype.torchName() : null;
        String tokFrom = vocabPlan == null ? donor : vocabPlan.tokenizerFrom();
        return new MergePlan(
                method.name(),
                out,
                outLayer,
                donor,
                vocab,
                dtypeName,
                tokFrom,
                vocabPlan != null && vocabPlan.union() ? vocabPlan.out() : null);
    }

    /** mergekit's build_tokenizer: the output vocabulary of base / union / a model, and every model's vocabulary. */
    private VocabPlan vocabPlan() {
        String src = config.tokenizerSource();
        String base = config.baseModel() != null
                ? config.baseModel()
                : config.referencedModels().get(0);
        List<String> refs = new ArrayList<>(config.referencedModels());
        refs.remove(base);
        refs.add(0, base);
        Map<String, TokenizerVocab> vocabs = new LinkedHashMap<>();
        for (String r : refs) {
            vocabs.put(r, model(r).vocab());
        }
        Map<String, Integer> out;
        String from;
        boolean union = src.equals("union");
        if (union) {
            List<Long> rows = refs.stream().map(r -> embedRows(model(r))).toList();
            out = TokenizerVocab.union(new ArrayList<>(vocabs.values()), rows);
            from = base;
        } else {
            from = src.equals("base") ? base : src;
            out = new LinkedHashMap<>();
            long rows = embedRows(model(from));
            for (var e : vocabs.get(from).ids().entrySet()) {
                if (e.getValue() < rows) {
                    out.put(e.getKey(), e.getValue());
                }
            }
        }
        int size = out.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        Integer pad = config.padVocabToMultipleOf();
        if (pad != null && size % pad != 0) {
            // mergekit pads the embedding tables up to the multiple, and the config's vocab_size with them
            size += pad - size % pad;
        }
        return new VocabPlan(from, out, size, vocabs, union);
    }

    private static long embedRows(SourceModel m) {
        for (String n : m.tensorNames()) {
            if (n.contains("embed_tokens")) {
                return m.spec(n).shape()[0];
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * The tokenizer block's per-token embedding sources for one embedding tensor: per output row,
     * {input index (-1: zeros), that input's row, force (1) or not (0)}.
     */
    private Map<Integer, int[]> rowOverrides(List<MergeConfig.InputSlice> present) {
        Map<Integer, int[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, MergeConfig.TokenEmbedding> e :
                config.tokenEmbeddings().entrySet()) {
            String tok = e.getKey();
            MergeConfig.TokenEmbedding te = e.getValue();
            Integer row = vocabPlan.out().get(tok);
            if (row == null) {
                throw new MergeException("tokenizer.tokens: token '" + tok + "' is not in the output vocabulary");
            }
            int force = te.force() ? 1 : 0;
            if (te.kind().equals("zero")) {
                out.put(row, new int[] {-1, 0, force});
                continue;
            }
            int input = -1;
            for (int i = 0; i < present.size(); i++) {
                input = present.get(i).model().equals(te.model()) ? i : input;
            }
            if (input < 0) {
                throw new MergeException(
                        "tokenizer.tokens." + tok + ": model " + te.model() + " is not an input of the merge");
            }
            TokenizerVocab v = vocabPlan.models().get(te.model());
            Integer src = te.kind().equals("model")
                    ? v.ids().get(tok)
                    : te.tokenId() != null ? te.tokenId() : v.ids().get(te.token());
            if (src == null) {
                throw new MergeException("tokenizer.tokens." + tok + ": model " + te.model() + " has no token '"
                        + (te.kind().equals("model") ? tok : te.token()) + "'");
            }
            out.put(row, new int[] {input, src, force});
        }
        return out;
    }

    /** Per input, the input row behind each output row; null when every input already matches the output. */
    private List<int[]> rowSources(List<MergeConfig.InputSlice> present, List<TensorSpec> specs) {
        List<int[]> perms = new ArrayList<>();
        boolean identity = true;
        for (int i = 0; i < present.size(); i++) {
            TokenizerVocab v = vocabPlan.models().get(present.get(i).model());
            long rows = specs.get(i).shape()[0];
            int[] p = new int[vocabPlan.size()];
            Arrays.fill(p, -1);
            for (int r = vocabPlan.out().values().stream()
                                    .mapToInt(Integer::intValue)
                                    .max()
                                    .orElse(-1)
                            + 1;
                    r < p.length;
                    r++) {
                p[r] = EmbeddingRows.PADDING;
            }
            for (var e : vocabPlan.out().entrySet()) {
                Integer id = v.ids().get(e.getKey());
                if (id != null && id < rows) {
                    p[e.getValue()] = id;
                }
            }
            for (int r = 0; r < p.length; r++) {
                identity &= p[r] == r;
            }
            identity &= rows == p.length;
            perms.add(p);
        }
        // per-token sources need the rows lined up even where the vocabularies agree
        return identity && config.tokenEmbeddings().isEmpty() ? null : perms;
    }

    /** {@code models:} becomes one slice over all layers; the base model is added if not listed. */
    private List<MergeConfig.OutputSlice> normalizedSlices() {
        List<MergeConfig.OutputSlice> slices;
        if (!config.models().isEmpty()) {
            List<MergeConfig.InputSlice> sources = new ArrayList<>();
            boolean baseIncluded = false;
            for (MergeConfig.InputModel m : config.models()) {
                baseIncluded |= m.model().equals(config.baseModel());
                sources.add(new MergeConfig.InputSlice(
                        m.model(), 0, model(m.model()).numLayers(), m.parameters()));
            }
            if (config.baseModel() != null && !baseIncluded) {
                sources.add(new MergeConfig.InputSlice(
                        config.baseModel(), 0, model(config.baseModel()).numLayers(), Map.of()));
            }
            slices = List.of(new MergeConfig.OutputSlice(sources, null, Map.of()));
        } else {
            slices = config.slices();
        }
        for (int i = 0; i < slices.size(); i++) {
            MergeConfig.OutputSlice s = slices.get(i);
            int len = s.sources().get(0).length();
            for (MergeConfig.InputSlice src : s.sources()) {
                if (src.length() != len) {
                    throw new MergeException("slice " + i + ": all sources must span the same number of layers, but "
                            + s.sources().get(0).model() + " has " + len + " (layers "
                            + s.sources().get(0).start() + "-"
                            + s.sources().get(0).end()
                            + ") and " + src.model() + " has " + src.length() + " (layers " + src.start() + "-"
                            + src.end() + ")");
                }
                int n = model(src.model()).numLayers();
                if (src.end() > n) {
                    throw new MergeException("slice " + i + ": layer_range [" + src.start() + ", " + src.end() + "] of "
                            + src.model() + " exceeds its " + n + " layers");
                }
            }
        }
        return slices;
    }

    private void addTensor(
            List<TensorMerge> out,
            MergeConfig.OutputSlice slice,
            String outName,
            Function<MergeConfig.InputSlice, String> inName,
            double t,
            DType inDtype,
            DType outDtype) {
        String base = slice.baseModel() != null ? slice.baseModel() : config.baseModel();
        List<TensorMerge.Source> sources = new ArrayList<>();
        List<TensorSpec> specs = new ArrayList<>();
        List<MergeConfig.InputSlice> present = new ArrayList<>();
        for (MergeConfig.InputSlice src : slice.sources()) {
            String name = inName.apply(src);
            SourceModel m = model(src.model());
            TensorSpec spec = m.spec(name);
            if (spec == null && isLmHead(name)) {
                String tied = tiedEmbedding(m);
                spec = tied == null ? null : m.spec(tied);
                name = tied;
            }
            if (spec == null) {
                if (isLmHead(inName.apply(src))) {
                    continue; // tied embeddings and no lm_head: the output ties too
                }
                throw new MergeException("tensor " + inName.apply(src) + " is missing in model " + src.model()
                        + " (needed for output tensor " + outName + ")");
            }
            sources.add(new TensorMerge.Source(src.model(), name));
            specs.add(spec);
            present.add(src);
        }
        if (sources.isEmpty()) {
            return;
        }
        if (sources.size() < slice.sources().size()) {
            throw new MergeException("tensor " + outName + " exists in only some of the models " + models(slice)
                    + "; lm_head is missing where embeddings are not tied");
        }
        int baseIndex = -1;
        for (int i = 0; i < present.size(); i++) {
            if (present.get(i).model().equals(base)) {
                baseIndex = i;
                break;
            }
        }
        if (method.requiresBase() && baseIndex < 0) {
            throw new MergeException(method.name() + " needs a base_model that is one of the sources; "
                    + (base == null ? "none is given" : base + " is not among " + models(slice)));
        }
        Params global =
                new Params(resolve(method.globalParams(), null, outName, t, slice, false), " (tensor " + outName + ")");
        List<Params> perInput = new ArrayList<>();
        for (int i = 0; i < present.size(); i++) {
            String model = present.get(i).model();
            perInput.add(new Params(
                    resolve(method.tensorParams(), model, sources.get(i).tensor(), t, slice, i == baseIndex),
                    " (model " + model + ", tensor " + sources.get(i).tensor() + ")"));
        }
        TensorSpec lead = specs.get(baseIndex >= 0 ? baseIndex : 0);
        boolean copy = !mergeable(lead.dtype());
        boolean embed = isEmbed(outName);
        long[] shape;
        List<int[]> rows = null;
        if (copy) {
            shape = lead.shape();
        } else {
            method.validate(global, perInput, models(present), baseIndex);
            if (vocabPlan != null && embed && specs.stream().allMatch(sp -> sp.shape().length == 2)) {
                rows = rowSources(present, specs);
                long cols = lead.shape()[1];
                if (specs.stream().anyMatch(sp -> sp.shape()[1] != cols)) {
                    throw new MergeException(
                            "tensor " + outName + ": embedding widths differ across " + models(present));
                }
                shape = new long[] {vocabPlan.size(), cols};
            } else {
                shape = outputShape(outName, specs, baseIndex, embed, models(present));
            }
        }
        DType dtype = copy ? lead.dtype() : outDtype != null ? outDtype : inDtype != null ? inDtype : lead.dtype();
        Map<Integer, int[]> overrides = rows != null ? rowOverrides(present) : Map.of();
        out.add(new TensorMerge(
                outName, sources, baseIndex, global, perInput, embed, copy, dtype, shape, rows, overrides));
    }

    private long[] outputShape(
            String outName, List<TensorSpec> specs, int baseIndex, boolean embed, List<String> models) {
        long[] ref = specs.get(baseIndex >= 0 ? baseIndex : 0).shape();
        boolean same = specs.stream().allMatch(s -> Arrays.equals(s.shape(), ref));
        if (same) {
            return ref;
        }
        if (embed && specs.stream().allMatch(s -> s.shape().length == 2)) {
            if (method.trimsEmbeddingsToBase()) {
                return ref;
            }
            long rows = specs.stream().mapToLong(s -> s.shape()[0]).min().orElseThrow();
            long cols = specs.stream().mapToLong(s -> s.shape()[1]).min().orElseThrow();
            return new long[] {rows, cols};
        }
        for (int i = 0; i < specs.size(); i++) {
            if (!Arrays.equals(specs.get(i).shape(), ref)) {
                throw new MergeException("tensor " + outName + ": shape "
                        + Arrays.toString(specs.get(i).shape()) + " in " + models.get(i) + " differs from "
                        + Arrays.toString(ref) + " in " + models.get(baseIndex >= 0 ? baseIndex : 0));
            }
        }
        return ref;
    }

    /** mergekit's ConfigReader.parameter: per-model (slice source) > slice > global, then the default. */
    private Map<String, Object> resolve(
            List<ParamDef> defs,
            String model,
            String tensorName,
            double t,
            MergeConfig.OutputSlice slice,
            boolean isBase) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParamDef def : defs) {
            Object v = null;
            if (model != null) {
                for (MergeConfig.InputSlice src : slice.sources()) {
                    if (src.model().equals(model) && src.parameters().containsKey(def.name())) {
                        v = src.parameters().get(def.name()).evaluate(tensorName, t);
                        if (v != null) {
                            break;
                        }
                    }
                }
            }
            if (v == null && slice.parameters().containsKey(def.name())) {
                v = slice.parameters().get(def.name()).evaluate(tensorName, t);
            }
            if (v == null && config.parameters().containsKey(def.name())) {
                v = config.parameters().get(def.name()).evaluate(tensorName, t);
            }
            if (v == null) {
                if (def.required() && !isBase) {
                    throw new MergeException(
                            "missing required parameter '" + def.name() + "' for " + (model == null ? "" : model + ".")
                                    + tensorName + " (merge method " + method.name() + ")");
                }
                v = def.defaultValue();
            }
            values.put(def.name(), v);
        }
        return values;
    }

    private List<String> nonLayerNames(MergeConfig.OutputSlice slice) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (MergeConfig.InputSlice src : slice.sources()) {
            for (String n : model(src.model()).tensorNames()) {
                if (!LAYER.matcher(n).matches()) {
                    names.add(n);
                }
            }
        }
        return new ArrayList<>(names);
    }

    private SourceModel model(String ref) {
        SourceModel m = models.apply(ref);
        if (m == null) {
            throw new MergeException("model " + ref + " is not available");
        }
        return m;
    }

    private static List<String> models(MergeConfig.OutputSlice slice) {
        return slice.sources().stream().map(MergeConfig.InputSlice::model).toList();
    }

    private static List<String> models(List<MergeConfig.InputSlice> srcs) {
        return srcs.stream().map(MergeConfig.InputSlice::model).toList();
    }

    private static String tiedEmbedding(SourceModel m) {
        for (String n : m.tensorNames()) {
            if (n.endsWith("embed_tokens.weight")) {
                return n;
            }
        }
        return null;
    }

    static boolean isPre(String name) {
        return name.contains("embed") && !isLmHead(name);
    }

    static boolean isLmHead(String name) {
        return name.startsWith("lm_head.") || name.contains(".lm_head.");
    }

    /** Embedding tables and output heads, which mergekit trims to a common vocabulary. */
    public static boolean isEmbed(String name) {
        return name.contains("embed_tokens") || isLmHead(name) || name.contains("embed_out") || name.contains(".wte.");
    }

    private static boolean mergeable(DType d) {
        return d == DType.F32 || d == DType.F16 || d == DType.BF16 || d == DType.F64;
    }

    private static DType dtype(String name, String key) {
        if (name == null) {
            return null;
        }
        try {
            DType d = DType.parseTorch(name);
            if (!mergeable(d)) {
                throw new IllegalArgumentException("not a float dtype");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new MergeException("unknown " + key + " '" + name + "' (use bfloat16, float16, float32 or float64)");
        }
    }
}
