package dev.chimera.merge;

import dev.chimera.merge.method.MergeException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A merge recipe with the shape of mergekit's YAML ({@code MergeConfiguration}): either {@code models} or
 * {@code slices}, a merge method, an optional base model, global parameters and dtypes. The evolutionary search
 * builds these directly from genomes; {@link MergeConfigYaml} reads and writes them as mergekit YAML.
 *
 * @param models           whole-model inputs, or empty when {@code slices} is used
 * @param slices           output slices (frankenmerges, per-slice parameters), or empty when {@code models} is used
 * @param mergeMethod      a name known to {@link dev.chimera.merge.method.MergeMethods}
 * @param baseModel        model reference (a folder path), or null
 * @param parameters       global parameters
 * @param dtype            dtype inputs are read as, or null
 * @param outDtype         dtype of the written tensors, or null
 * @param tokenizerSource  null, "base", "union" or a model reference
 */
public record MergeConfig(
        List<InputModel> models,
        List<OutputSlice> slices,
        String mergeMethod,
        String baseModel,
        Map<String, Setting> parameters,
        String dtype,
        String outDtype,
        String tokenizerSource,
        String chatTemplate,
        Integer padVocabToMultipleOf) {

    /** A config without a {@code chat_template}. */
    public MergeConfig(
            List<InputModel> models,
            List<OutputSlice> slices,
            String mergeMethod,
            String baseModel,
            Map<String, Setting> parameters,
            String dtype,
            String outDtype,
            String tokenizerSource) {
        this(models, slices, mergeMethod, baseModel, parameters, dtype, outDtype, tokenizerSource, null, null);
    }

    public MergeConfig {
        if (padVocabToMultipleOf != null && (padVocabToMultipleOf < 1 || tokenizerSource == null)) {
            throw new MergeException("tokenizer.pad_to_multiple_of must be >= 1 and comes with a tokenizer source, got "
                    + padVocabToMultipleOf);
        }
        models = models == null ? List.of() : List.copyOf(models);
        slices = slices == null ? List.of() : List.copyOf(slices);
        parameters = parameters == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(parameters));
        Objects.requireNonNull(mergeMethod, "merge_method");
        if (models.isEmpty() == slices.isEmpty()) {
            throw new MergeException("a merge config needs exactly one of 'models' or 'slices'");
        }
    }

    /** One entry of {@code models:}. */
    public record InputModel(String model, Map<String, Setting> parameters) {
        public InputModel {
            Objects.requireNonNull(model, "model");
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        }
    }

    /** One source of an output slice: a model and the half-open layer range [start, end). */
    public record InputSlice(String model, int start, int end, Map<String, Setting> parameters) {
        public InputSlice {
            Objects.requireNonNull(model, "model");
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
            if (start < 0 || end < start) {
                throw new MergeException(
                        "layer_range [" + start + ", " + end + "] of " + model + " is not a valid range");
            }
        }

        public int length() {
            return end - start;
        }
    }

    /** One entry of {@code slices:}. */
    public record OutputSlice(List<InputSlice> sources, String baseModel, Map<String, Setting> parameters) {
        public OutputSlice {
            sources = List.copyOf(sources);
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
            if (sources.isEmpty()) {
                throw new MergeException("a slice needs at least one source");
            }
        }
    }

    /** Every model the config names, base first when present, without duplicates, in order of appearance. */
    public List<String> referencedModels() {
        var out = new LinkedHashSet<String>();
        if (baseModel != null) {
            out.add(baseModel);
        }
        models.forEach(m -> out.add(m.model()));
        for (OutputSlice s : slices) {
            if (s.baseModel() != null) {
                out.add(s.baseModel());
            }
            s.sources().forEach(src -> out.add(src.model()));
        }
        if (tokenizerSource != null && !tokenizerSource.equals("base") && !tokenizerSource.equals("union")) {
            out.add(tokenizerSource);
        }
        return List.copyOf(out);
    }
}
