package dev.chimera.search.genome;

import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.Setting;
import dev.chimera.merge.arch.LayerGroups;
import dev.chimera.merge.method.MergeException;
import dev.chimera.merge.method.MergeMethods;
import dev.chimera.search.Bounds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evolves the parameters of one merge method (mergekit-evolve's and Mergenetic's space, extended).
 *
 * <p>Granularity: one value for the whole model, or one per group of {@code layerGroups} consecutive layer blocks
 * (the group count must divide the layer count, as mergekit-evolve's {@code layer_granularity}); optionally one
 * value per module kind inside each group (self_attn / mlp / rest, as Mergenetic's 11-gene slerp); optionally the
 * embedding table and the output head (final norm + lm_head) as groups of their own, since a language expert moves
 * mostly its embeddings. Without {@code smooth}, each layer group becomes a slice with its block values; with
 * {@code smooth}, each parameter becomes a gradient list over the groups, interpolated across the layers.
 *
 * <p>Gene layout: for each parameter (per model: for each model) a block of
 * [groups x modules] values, then the embedding value, then the head value.
 */
public final class ParameterGenome implements Genome {
    static final List<String> MODULES = List.of("self_attn", "mlp", "rest");

    private final String method;
    private final String baseModel;
    private final List<String> models;
    private final List<ParamGene> params;
    private final int layers;
    private final int groups;
    private final boolean moduleFilters;
    private final boolean embedGroup;
    private final boolean headGroup;
    private final boolean smooth;
    private final LayerGroups groupNames;
    private final Map<String, Setting> fixed;
    private final String dtype;
    private final Bounds bounds;
    private final List<String> names;

    private ParameterGenome(Builder b) {
        this.method = b.method;
        this.baseModel = b.baseModel;
        this.models = List.copyOf(b.models);
        this.params = List.copyOf(b.params);
        this.layers = b.layers;
        this.groups = b.groups;
        this.moduleFilters = b.moduleFilters;
        this.embedGroup = b.embedGroup;
        this.headGroup = b.headGroup;
        this.smooth = b.smooth;
        this.groupNames = b.groupNames;
        this.fixed = Map.copyOf(b.fixed);
        this.dtype = b.dtype;
        var m = MergeMethods.get(method);
        if (m.requiresBase() && baseModel == null) {
            throw new MergeException("genome: " + method + " needs a base model");
        }
        if (models.isEmpty()) {
            throw new MergeException("genome: no models to merge");
        }
        if (layers <= 0 || groups <= 0 || layers % groups != 0) {
            throw new MergeException(
                    "genome: layer groups (" + groups + ") must divide the layer count (" + layers + ")");
        }
        for (ParamGene p : params) {
            boolean known = (p.perModel() ? m.tensorParams() : m.globalParams())
                    .stream().anyMatch(d -> d.name().equals(p.name()));
            if (!known) {
                throw new MergeException("genome: " + method + " has no " + (p.perModel() ? "per-model" : "global")
                        + " parameter '" + p.name() + "'");
            }
        }
        List<Double> lo = new ArrayList<>();
        List<Double> hi = new ArrayList<>();
        List<String> n = new ArrayList<>();
        for (ParamGene p : params) {
            for (String owner : p.perModel() ? models : List.of("*")) {
                String prefix = p.name() + (p.perModel() ? "[" + owner + "]" : "");
                for (int g = 0; g < groups; g++) {
                    int per = layers / groups;
                    for (String mod : moduleFilters ? MODULES : List.of("all")) {
                        n.add(prefix + ".layers" + g * per + "-" + ((g + 1) * per - 1) + "." + mod);
                        lo.add(p.lower());
                        hi.add(p.upper());
                    }
                }
                if (embedGroup) {
                    n.add(prefix + ".embed");
                    lo.add(p.lower());
                    hi.add(p.upper());
                }
                if (headGroup) {
                    n.add(prefix + ".head");
                    lo.add(p.lower());
                    hi.add(p.upper());
                }
            }
        }
        if (n.isEmpty()) {
            throw new MergeException("genome: no evolved parameters");
        }
        this.bounds = new Bounds(
                lo.stream().mapToDouble(Double::doubleValue).toArray(),
                hi.stream().mapToDouble(Double::doubleValue).toArray());
        this.names = List.copyOf(n);
    }

    public static Builder builder(String method) {
        return new Builder(method);
    }

    @Override
    public Bounds bounds() {
        return bounds;
    }

    @Override
    public List<String> geneNames() {
        return names;
    }

    private int blockSize() {
        return groups * (moduleFilters ? 3 : 1) + (embedGroup ? 1 : 0) + (headGroup ? 1 : 0);
    }

    /** The setting of one (parameter, owner) block for layer group g (g = -1: gradient over all groups). */
    private Setting setting(double[] genes, int blockStart, int g) {
        int mods = moduleFilters ? 3 : 1;
        List<Setting.Filtered> entries = new ArrayList<>();
        int extra = blockStart + groups * mods;
        if (embedGroup) {
            Setting e = Setting.of(genes[extra++]);
            groupNames.embed().forEach(f -> entries.add(new Setting.Filtered(f, e)));
        }
        if (headGroup) {
            Setting h = Setting.of(genes[extra]);
            groupNames.head().forEach(f -> entries.add(new Setting.Filtered(f, h)));
        }
        for (int k = 0; k < mods; k++) {
            Setting v;
            if (g >= 0) {
                v = Setting.of(genes[blockStart + g * mods + k]);
            } else {
                List<Double> grad = new ArrayList<>();
                for (int gg = 0; gg < groups; gg++) {
                    grad.add(genes[blockStart + gg * mods + k]);
                }
                v = grad.size() == 1 ? Setting.of(grad.get(0)) : Setting.gradient(grad);
            }
            if (moduleFilters && k < 2) {
                for (String filter : k == 0 ? groupNames.attention() : groupNames.mlp()) {
                    entries.add(new Setting.Filtered(filter, v));
                }
            } else {
                entries.add(new Setting.Filtered(null, v));
            }
        }
        if (entries.size() == 1 && entries.get(0).filter() == null) {
            return entries.get(0).value();
        }
        return new Setting.Conditional(entries);
    }

    @Override
    public MergeConfig decode(double[] genes) {
        checkLength(genes);
        double[] x = bounds.clip(genes);
        int block = blockSize();
        // block start of each (parameter, owner)
        Map<String, Map<String, Integer>> starts = new LinkedHashMap<>();
        int pos = 0;
        for (ParamGene p : params) {
            Map<String, Integer> byOwner = new LinkedHashMap<>();
            for (String owner : p.perModel() ? models : List.of("*")) {
                byOwner.put(owner, pos);
                pos += block;
            }
            starts.put(p.name(), byOwner);
        }
        if (smooth || groups == 1) {
            List<MergeConfig.InputModel> inputs = new ArrayList<>();
            for (String m : models) {
                inputs.add(new MergeConfig.InputModel(m, modelParams(x, starts, m, -1)));
            }
            return new MergeConfig(
                    inputs, List.of(), method, baseModel, globalParams(x, starts, -1), dtype, null, null);
        }
        List<MergeConfig.OutputSlice> slices = new ArrayList<>();
        int per = layers / groups;
        for (int g = 0; g < groups; g++) {
            List<MergeConfig.InputSlice> sources = new ArrayList<>();
            for (String m : models) {
                sources.add(new MergeConfig.InputSlice(m, g * per, (g + 1) * per, modelParams(x, starts, m, g)));
            }
            if (baseModel != null && !models.contains(baseModel)) {
                sources.add(new MergeConfig.InputSlice(baseModel, g * per, (g + 1) * per, Map.of()));
            }
            slices.add(new MergeConfig.OutputSlice(sources, null, globalParams(x, starts, g)));
        }
        return new MergeConfig(List.of(), slices, method, baseModel, new LinkedHashMap<>(fixed), dtype, null, null);
    }

    private Map<String, Setting> modelParams(
            double[] x, Map<String, Map<String, Integer>> starts, String model, int g) {
        Map<String, Setting> out = new LinkedHashMap<>();
        for (ParamGene p : params) {
            if (p.perModel()) {
                out.put(p.name(), setting(x, starts.get(p.name()).get(model), g));
            }
        }
        return out;
    }

    private Map<String, Setting> globalParams(double[] x, Map<String, Map<String, Integer>> starts, int g) {
        Map<String, Setting> out = new LinkedHashMap<>();
        if (g < 0) {
            out.putAll(fixed);
        }
        for (ParamGene p : params) {
            if (!p.perModel()) {
                out.put(p.name(), setting(x, starts.get(p.name()).get("*"), g));
            }
        }
        return out;
    }

    /** Builder with mergekit-evolve-like defaults: whole-model values, no module split, no separate groups. */
    public static final class Builder {
        private final String method;
        private String baseModel;
        private final List<String> models = new ArrayList<>();
        private final List<ParamGene> params = new ArrayList<>();
        private int layers = 1;
        private int groups = 1;
        private boolean moduleFilters;
        private boolean embedGroup;
        private boolean headGroup;
        private boolean smooth;
        private LayerGroups groupNames = LayerGroups.LLAMA;
        private final Map<String, Setting> fixed = new LinkedHashMap<>();
        private String dtype;

        private Builder(String method) {
            this.method = method;
        }

        public Builder baseModel(String base) {
            this.baseModel = base;
            return this;
        }

        public Builder models(List<String> ms) {
            models.addAll(ms);
            return this;
        }

        public Builder param(ParamGene p) {
            params.add(p);
            return this;
        }

        /** Layer count of the models and the number of layer groups (must divide it). */
        public Builder layers(int layerCount, int layerGroups) {
            this.layers = layerCount;
            this.groups = layerGroups;
            return this;
        }

        public Builder moduleFilters(boolean on) {
            this.moduleFilters = on;
            return this;
        }

        public Builder embedGroup(boolean on) {
            this.embedGroup = on;
            return this;
        }

        public Builder headGroup(boolean on) {
            this.headGroup = on;
            return this;
        }

        /** Tensor-name filters of the architecture's attention, MLP, embedding and head (default: Llama's). */
        public Builder groups(LayerGroups names) {
            this.groupNames = names;
            return this;
        }

        public Builder smooth(boolean on) {
            this.smooth = on;
            return this;
        }

        /** A global parameter held fixed (not evolved), e.g. normalize: false. */
        public Builder fixed(String name, Object value) {
            fixed.put(name, Setting.of(value));
            return this;
        }

        public Builder dtype(String d) {
            this.dtype = d;
            return this;
        }

        public ParameterGenome build() {
            return new ParameterGenome(this);
        }
    }
}
