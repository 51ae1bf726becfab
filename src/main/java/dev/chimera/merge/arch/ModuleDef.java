package dev.chimera.merge.arch;

import dev.chimera.tensor.HfConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One module of an architecture (mergekit's {@code ModuleArchitecture}): the weights before its layers, each
 * layer's weights, and the weights after them. A plain language model has one module; a vision-language model has a
 * text decoder, a vision tower and a projector, each with its own {@code weightPrefix} and layer count.
 *
 * @param name         the module's name, used by the {@code modules:} key of merge configs
 * @param weightPrefix prefix of every tensor name of the module (empty for none)
 * @param layersKey    config.json key (dotted path) with the layer count, or null for a module without layers
 * @param expertsKey   config.json key with the number of experts that {@code $expert} ranges over, or null
 * @param pre          weights before the first layer
 * @param layer        each layer's weights ({@code $layer} placeholders)
 * @param post         weights after the last layer
 * @param groups       names a search space addresses, or null when the definition gives none
 */
public record ModuleDef(
        String name,
        String weightPrefix,
        String layersKey,
        String expertsKey,
        List<WeightDef> pre,
        List<WeightDef> layer,
        List<WeightDef> post,
        LayerGroups groups) {
    public ModuleDef {
        weightPrefix = weightPrefix == null ? "" : weightPrefix;
        pre = List.copyOf(pre);
        layer = List.copyOf(layer);
        post = List.copyOf(post);
    }

    /** The layer count of a model with this config (0 for a module without layers). */
    public int numLayers(HfConfig config) {
        return layersKey == null ? 0 : config.intAt(layersKey);
    }

    public List<WeightDef> preWeights(HfConfig config) {
        return resolved(pre, Map.of("num_layers", numLayers(config)));
    }

    public List<WeightDef> postWeights(HfConfig config) {
        return resolved(post, Map.of("num_layers", numLayers(config)));
    }

    /** Layer {@code index}'s weights; a weight with {@code $expert} once per expert, in expert order. */
    public List<WeightDef> layerWeights(int index, HfConfig config) {
        int layers = numLayers(config);
        int experts = expertsKey == null ? 0 : config.intAt(expertsKey);
        List<WeightDef> out = new ArrayList<>();
        for (WeightDef w : layer) {
            if (w.uses("expert")) {
                for (int e = 0; e < experts; e++) {
                    out.add(w.resolve(Map.of("layer", index, "num_layers", layers, "expert", e), weightPrefix));
                }
            } else {
                out.add(w.resolve(Map.of("layer", index, "num_layers", layers), weightPrefix));
            }
        }
        return out;
    }

    /** Every weight of a model with this config, in order: pre, each layer, post. */
    public List<WeightDef> allWeights(HfConfig config) {
        List<WeightDef> out = new ArrayList<>(preWeights(config));
        for (int i = 0; i < numLayers(config); i++) {
            out.addAll(layerWeights(i, config));
        }
        out.addAll(postWeights(config));
        return out;
    }

    private List<WeightDef> resolved(List<WeightDef> weights, Map<String, Integer> values) {
        return weights.stream().map(w -> w.resolve(values, weightPrefix)).toList();
    }
}
