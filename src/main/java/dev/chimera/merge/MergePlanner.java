package dev.chimera.merge;

import static java.util.Collections.nCopies;

import dev.chimera.merge.arch.Architecture;
import dev.chimera.merge.arch.Architectures;
import dev.chimera.merge.arch.ModuleDef;
import dev.chimera.merge.arch.WeightDef;
import dev.chimera.merge.method.MergeException;
import dev.chimera.merge.method.MergeMethod;
import dev.chimera.merge.method.MergeMethods;
import dev.chimera.merge.method.ParamDef;
import dev.chimera.merge.method.Params;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.HfConfig;
import dev.chimera.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a {@link MergeConfig} into a {@link MergePlan}, following mergekit's {@code plan.py} over the models'
 * {@link Architecture} definition: {@code models:} become one slice per module over every layer (the base model is
 * added when not listed), {@code slices:} apply to a single-module architecture, {@code modules:} give each module
 * its own; each output layer takes the same relative layer from every source of its slice; parameters resolve per
 * tensor with precedence per-model > slice > module > global, gradients interpolated at t = j / (L - 1) within each
 * slice; a module's weights before its layers come from its first slice's sources and those after from its last
 * slice's, planned at t = 0. Tensors the definition does not list are not written (as mergekit), and reported.
 */
public final class MergePlanner {
    private final MergeConfig config;
    private final Function<String, SourceModel> models;
    private final MergeMethod method;
    private final Map<String, Architecture> archByModel = new HashMap<>();
    private Architecture arch;
    private VocabPlan vocabPlan;

    /** The output vocabulary when {@code tokenizer_source} is given: token -> output id, and each model's ids. */
    private record VocabPlan(
            String tokenizerFrom,
            Map<String, Integer> out,
            int size,
            Map<String, TokenizerVocab> models,
            boolean union) {}

    /** One module's inputs after normalisation: slices, and the module's own parameters. */
    private record ModuleInputs(List<MergeConfig.OutputSlice> slices, Map<String, Setting> parameters) {}

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
        String donor = config.baseModel() != null
                ? config.baseModel()
                : config.referencedModels().get(0);
        arch = architecture(donor);
        Map<String, ModuleInputs> modules = normalizedModules();
        // the output config as mergekit's _model_out_config: the donor's, with each planned module's layer count
        HfConfig outConfig = model(donor).config();
        Map<String, Integer> layerCounts = new LinkedHashMap<>();
        modules.forEach((name, inputs) -> {
            ModuleDef md = arch.module(name);
            if (md.layersKey() != null) {
                int n = inputs.slices().stream()
                        .mapToInt(sl -> sl.sources().get(0).length())
                        .sum();
                layerCounts.put(md.layersKey(), n);
            }
        });
        outConfig = outConfig.withIntsAt(layerCounts);
        vocabPlan = config.tokenizerSource() == null ? null : vocabPlan();
        List<TensorMerge> out = new ArrayList<>();
        long vocab = -1;
        for (var e : modules.entrySet()) {
            ModuleDef md = arch.module(e.getKey());
            List<MergeConfig.OutputSlice> slices = e.getValue().slices();
            Map<String, Setting> moduleParams = e.getValue().parameters();
            MergeConfig.OutputSlice first = slices.get(0);
            MergeConfig.OutputSlice last = slices.get(slices.size() - 1);
            for (WeightDef w : md.preWeights(outConfig)) {
                TensorMerge tm = addTensor(
                        out, first, moduleParams, w, nCopies(first.sources().size(), w), 0, inDtype, outDtype);
                if (vocab < 0 && tm != null && tm.embed() && tm.outShape().length == 2) {
                    vocab = tm.outShape()[0];
                }
            }
            int outLayer = 0;
            for (MergeConfig.OutputSlice slice : slices) {
                int len = slice.sources().get(0).length();
                for (int offset = 0; offset < len; offset++) {
                    double t = len > 1 ? (double) offset / (len - 1) : 1;
                    List<WeightDef> outWeights = md.layerWeights(outLayer, outConfig);
                    List<List<WeightDef>> inWeights = new ArrayList<>();
                    for (MergeConfig.InputSlice src : slice.sources()) {
                        List<WeightDef> in = md.layerWeights(
                                src.start() + offset, model(src.model()).config());
                        if (in.size() != outWeights.size()) {
                            throw new MergeException("layer " + (src.start() + offset) + " of " + src.model() + " has "
                                    + in.size() + " weights in architecture " + arch.name() + ", the output's layer "
                                    + outLayer + " has " + outWeights.size() + " (different expert counts?)");
                        }
                        inWeights.add(in);
                    }
                    for (int idx = 0; idx < outWeights.size(); idx++) {
                        final int i = idx;
                        addTensor(
                                out,
                                slice,
                                moduleParams,
                                outWeights.get(i),
                                inWeights.stream().map(l -> l.get(i)).toList(),
                                t,
                                inDtype,
                                outDtype);
                    }
                    outLayer++;
                }
            }
            for (WeightDef w : md.postWeights(outConfig)) {
                addTensor(out, last, moduleParams, w, nCopies(last.sources().size(), w), 0, inDtype, outDtype);
            }
        }
        String dtypeName = outDtype != null ? outDtype.torchName() : inDtype != null ? inDtype.torchName() : null;
        String tokFrom = vocabPlan == null ? donor : vocabPlan.tokenizerFrom();
        ModuleDef main = arch.mainModule();
        int outLayers = main.layersKey() != null && layerCounts.containsKey(main.layersKey())
                ? layerCounts.get(main.layersKey())
                : 0;
        return new MergePlan(
                method.name(),
                out,
                outLayers,
                layerCounts,
                donor,
                vocab,
                dtypeName,
                tokFrom,
                vocabPlan != null && vocabPlan.union() ? vocabPlan.out() : null,
                arch.name(),
                unlisted());
    }

    /** The donor's architecture; every other model must have the same definition. */
    private Architecture architecture(String donor) {
        Architecture a = archOf(donor);
        for (String ref : config.referencedModels()) {
            Architecture other = archOf(ref);
            if (!other.name().equals(a.name()) || !other.classNames().equals(a.classNames())) {
                throw new MergeException("models of different architectures: " + donor + " is "
                        + model(donor).config().architecture().orElse("?") + " (" + a.name() + "), " + ref + " is "
                        + model(ref).config().architecture().orElse("?") + " (" + other.name() + ")");
            }
        }
        return a;
    }

    private Architecture archOf(String ref) {
        return archByModel.computeIfAbsent(ref, r -> {
            SourceModel m = model(r);
            return Architectures.of(m.config(), m.tensorNames());
        });
    }

    /** Per model, the tensors its architecture's definition does not list ("model: tensor"), which are not written. */
    private List<String> unlisted() {
        List<String> out = new ArrayList<>();
        for (String ref : config.referencedModels()) {
            SourceModel m = model(ref);
            Set<String> listed = new HashSet<>();
            for (ModuleDef md : arch.modules().values()) {
                for (WeightDef w : md.allWeights(m.config())) {
                    listed.addAll(w.names());
                    listed.addAll(w.tied());
                }
            }
            for (String n : m.tensorNames()) {
                if (!listed.contains(n)) {
                    out.add(ref + ": " + n);
                }
            }
        }
        return out;
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
            List<Long> rows = refs.stream().map(this::embedRows).toList();
            out = TokenizerVocab.union(new ArrayList<>(vocabs.values()), rows);
            from = base;
        } else {
            from = src.equals("base") ? base : src;
            out = new LinkedHashMap<>();
            long rows = embedRows(from);
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

    /** Rows of a model's input embedding table (the first embedding before the layers), or no limit without one. */
    private long embedRows(String ref) {
        SourceModel m = model(ref);
        for (ModuleDef md : arch.modules().values()) {
            for (WeightDef w : md.preWeights(m.config())) {
                String name = w.embed() ? firstPresent(m, w.names()) : null;
                if (name != null) {
                    return m.spec(name).shape()[0];
                }
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

    /** mergekit's normalize_config: {@code models:} and {@code slices:} become modules, module models become slices. */
    private Map<String, ModuleInputs> normalizedModules() {
        Map<String, ModuleInputs> out = new LinkedHashMap<>();
        if (!config.models().isEmpty()) {
            for (String name : arch.modules().keySet()) {
                out.put(name, new ModuleInputs(slicesOf(config.models(), arch.module(name)), Map.of()));
            }
        } else if (!config.slices().isEmpty()) {
            if (arch.modules().size() != 1) {
                throw new MergeException("architecture " + arch.name() + " has several modules ("
                        + String.join(", ", arch.modules().keySet()) + "): use 'modules:' to give their slices");
            }
            out.put(arch.modules().keySet().iterator().next(), new ModuleInputs(config.slices(), Map.of()));
        } else {
            config.modules().forEach((name, m) -> {
                ModuleDef md = arch.module(name);
                List<MergeConfig.OutputSlice> slices = m.models().isEmpty() ? m.slices() : slicesOf(m.models(), md);
                out.put(name, new ModuleInputs(slices, m.parameters()));
            });
        }
        out.forEach((name, inputs) -> checkSlices(name, inputs.slices()));
        return out;
    }

    /** Whole-model inputs as one slice over every layer of the module; the base model is added if not listed. */
    private List<MergeConfig.OutputSlice> slicesOf(List<MergeConfig.InputModel> inputs, ModuleDef module) {
        List<MergeConfig.InputSlice> sources = new ArrayList<>();
        boolean baseIncluded = false;
        for (MergeConfig.InputModel m : inputs) {
            baseIncluded |= m.model().equals(config.baseModel());
            sources.add(new MergeConfig.InputSlice(
                    m.model(), 0, module.numLayers(model(m.model()).config()), m.parameters()));
        }
        if (config.baseModel() != null && !baseIncluded) {
            sources.add(new MergeConfig.InputSlice(
                    config.baseModel(),
                    0,
                    module.numLayers(model(config.baseModel()).config()),
                    Map.of()));
        }
        return List.of(new MergeConfig.OutputSlice(sources, null, Map.of()));
    }

    private void checkSlices(String moduleName, List<MergeConfig.OutputSlice> slices) {
        ModuleDef md = arch.module(moduleName);
        String where = arch.modules().size() > 1 ? "module " + moduleName + ", " : "";
        for (int i = 0; i < slices.size(); i++) {
            MergeConfig.OutputSlice s = slices.get(i);
            int len = s.sources().get(0).length();
            for (MergeConfig.InputSlice src : s.sources()) {
                if (src.length() != len) {
                    throw new MergeException(where + "slice " + i
                            + ": all sources must span the same number of layers, but "
                            + s.sources().get(0).model() + " has " + len + " (layers "
                            + s.sources().get(0).start() + "-"
                            + s.sources().get(0).end()
                            + ") and " + src.model() + " has " + src.length() + " (layers " + src.start() + "-"
                            + src.end() + ")");
                }
                int n = md.numLayers(model(src.model()).config());
                if (src.end() > n) {
                    throw new MergeException(where + "slice " + i + ": layer_range [" + src.start() + ", " + src.end()
                            + "] of " + src.model() + " exceeds its " + n + " layers");
                }
            }
        }
    }

    /**
     * Plans one output tensor from the inputs' weights (aligned with the slice's sources), or nothing for an optional
     * weight that no input has under its name or an alias; an input without it reads its tied names (an output head
     * tied to the embedding). Returns the planned tensor, or null when skipped.
     */
    private TensorMerge addTensor(
            List<TensorMerge> out,
            MergeConfig.OutputSlice slice,
            Map<String, Setting> moduleParams,
            WeightDef outWeight,
            List<WeightDef> inWeights,
            double t,
            DType inDtype,
            DType outDtype) {
        String outName = outWeight.name();
        String base = slice.baseModel() != null ? slice.baseModel() : config.baseModel();
        List<TensorMerge.Source> sources = new ArrayList<>();
        List<TensorSpec> specs = new ArrayList<>();
        List<MergeConfig.InputSlice> present = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        boolean anyDirect = false;
        for (int i = 0; i < slice.sources().size(); i++) {
            MergeConfig.InputSlice src = slice.sources().get(i);
            WeightDef in = inWeights.get(i);
            SourceModel m = model(src.model());
            String name = firstPresent(m, in.names());
            anyDirect |= name != null;
            if (name == null) {
                name = firstPresent(m, in.tied());
            }
            if (name == null) {
                missing.add(in.name() + " in " + src.model());
                continue;
            }
            sources.add(new TensorMerge.Source(src.model(), name));
            specs.add(m.spec(name));
            present.add(src);
        }
        if (outWeight.optional() && !anyDirect) {
            return null; // e.g. no input has an lm_head: the output's head stays tied to its embedding
        }
        if (!missing.isEmpty()) {
            throw new MergeException("tensor " + String.join(", ", missing) + " is missing (needed for output tensor "
                    + outName + " of architecture " + arch.name()
                    + (outWeight.optional() ? ", which some inputs have" : "")
                    + ")");
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
        Params global = new Params(
                resolve(method.globalParams(), null, outName, t, slice, moduleParams, false),
                " (tensor " + outName + ")");
        List<Params> perInput = new ArrayList<>();
        for (int i = 0; i < present.size(); i++) {
            String model = present.get(i).model();
            perInput.add(new Params(
                    resolve(
                            method.tensorParams(),
                            model,
                            sources.get(i).tensor(),
                            t,
                            slice,
                            moduleParams,
                            i == baseIndex),
                    " (model " + model + ", tensor " + sources.get(i).tensor() + ")"));
        }
        TensorSpec lead = specs.get(baseIndex >= 0 ? baseIndex : 0);
        boolean copy = !mergeable(lead.dtype());
        boolean embed = outWeight.embed();
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
        DType dtype = copy
                ? lead.dtype()
                : outWeight.forceDtype() != null
                        ? dtype(outWeight.forceDtype(), "dtype of weight " + outName)
                        : outDtype != null ? outDtype : inDtype != null ? inDtype : lead.dtype();
        Map<Integer, int[]> overrides = rows != null ? rowOverrides(present) : Map.of();
        TensorMerge planned = new TensorMerge(
                outName, sources, baseIndex, global, perInput, embed, copy, dtype, shape, rows, overrides);
        out.add(planned);
        return planned;
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

    /** mergekit's ConfigReader.parameter: per-model (slice source) > slice > module > global, then the default. */
    private Map<String, Object> resolve(
            List<ParamDef> defs,
            String model,
            String tensorName,
            double t,
            MergeConfig.OutputSlice slice,
            Map<String, Setting> moduleParams,
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
            if (v == null && moduleParams.containsKey(def.name())) {
                v = moduleParams.get(def.name()).evaluate(tensorName, t);
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

    private static String firstPresent(SourceModel m, List<String> names) {
        for (String n : names) {
            if (m.spec(n) != null) {
                return n;
            }
        }
        return null;
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
