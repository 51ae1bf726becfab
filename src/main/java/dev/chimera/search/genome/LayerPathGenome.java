package dev.chimera.search.genome;

import dev.chimera.merge.MergeConfig;
import dev.chimera.merge.Setting;
import dev.chimera.merge.arch.LayerGroups;
import dev.chimera.merge.method.MergeException;
import dev.chimera.search.Bounds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The data-flow (layer path) space of Sakana's recipe (Akiba et al. 2024): the layers of all M models laid out in
 * sequence and repeated r times give T = M x L x r slots; one indicator gene per slot (> 0.5 = the layer is used)
 * picks the path, in slot order. Optional per-transition scales (an M x M matrix of genes) scale a layer's
 * contribution to the residual stream (its o_proj and down_proj) when the path jumps from model i to model j —
 * the weight-space analogue of Sakana's scaling of the hidden state at a jump. Output depth is capped at
 * {@code maxDepth} (first slots win); an empty path keeps the single slot with the largest gene.
 * Decodes to a {@code passthrough} merge of one-layer slices.
 */
public final class LayerPathGenome implements Genome {
    private final List<String> models;
    private final int layers;
    private final int repeats;
    private final int maxDepth;
    private final boolean scales;
    private final double scaleLower;
    private final double scaleUpper;
    private final String dtype;
    private final List<String> outputFilters;
    private final Bounds bounds;
    private final List<String> names;

    /** The space over {@code models}' layers; {@code groups.outputs()} names the projections a scale multiplies. */
    public LayerPathGenome(
            List<String> models,
            int layers,
            int repeats,
            int maxDepth,
            boolean scales,
            double scaleLower,
            double scaleUpper,
            String dtype,
            LayerGroups groups) {
        if (models.isEmpty() || layers <= 0 || repeats <= 0 || maxDepth <= 0) {
            throw new MergeException("layer path genome needs models, layers > 0, repeats > 0 and maxDepth > 0");
        }
        this.models = List.copyOf(models);
        this.layers = layers;
        this.repeats = repeats;
        this.maxDepth = maxDepth;
        this.scales = scales;
        this.scaleLower = scaleLower;
        this.scaleUpper = scaleUpper;
        this.dtype = dtype;
        this.outputFilters = groups.outputs();
        List<String> n = new ArrayList<>();
        List<double[]> b = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            for (String m : this.models) {
                for (int l = 0; l < layers; l++) {
                    n.add("use[" + r + "][" + m + "][" + l + "]");
                    b.add(new double[] {0, 1});
                }
            }
        }
        if (scales) {
            for (String from : this.models) {
                for (String to : this.models) {
                    n.add("scale[" + from + "->" + to + "]");
                    b.add(new double[] {scaleLower, scaleUpper});
                }
            }
        }
        this.names = List.copyOf(n);
        this.bounds = new Bounds(
                b.stream().mapToDouble(x -> x[0]).toArray(),
                b.stream().mapToDouble(x -> x[1]).toArray());
    }

    @Override
    public Bounds bounds() {
        return bounds;
    }

    @Override
    public List<String> geneNames() {
        return names;
    }

    private int slots() {
        return models.size() * layers * repeats;
    }

    @Override
    public MergeConfig decode(double[] genes) {
        checkLength(genes);
        List<Integer> path = new ArrayList<>();
        for (int s = 0; s < slots() && path.size() < maxDepth; s++) {
            if (genes[s] > 0.5) {
                path.add(s);
            }
        }
        if (path.isEmpty()) {
            int best = 0;
            for (int s = 1; s < slots(); s++) {
                best = genes[s] > genes[best] ? s : best;
            }
            path.add(best);
        }
        List<MergeConfig.OutputSlice> slices = new ArrayList<>();
        int prevModel = -1;
        for (int s : path) {
            int m = (s / layers) % models.size();
            int l = s % layers;
            Map<String, Setting> params = Map.of();
            if (scales && prevModel >= 0 && prevModel != m) {
                double sc = Math.min(scaleUpper, Math.max(scaleLower, genes[slots() + prevModel * models.size() + m]));
                Setting v = Setting.of(sc);
                List<Setting.Filtered> entries = new ArrayList<>();
                outputFilters.forEach(f -> entries.add(new Setting.Filtered(f, v)));
                entries.add(new Setting.Filtered(null, Setting.of(1.0)));
                params = Map.of("scale", new Setting.Conditional(entries));
            }
            slices.add(new MergeConfig.OutputSlice(
                    List.of(new MergeConfig.InputSlice(models.get(m), l, l + 1, params)), null, Map.of()));
            prevModel = m;
        }
        return new MergeConfig(List.of(), slices, "passthrough", null, Map.of(), dtype, null, null);
    }
}
