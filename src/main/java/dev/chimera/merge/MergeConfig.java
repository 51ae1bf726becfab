package dev.chimera.merge;

import dev.chimera.merge.method.MergeException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A merge recipe with the shape of mergekit's YAML ({@code MergeConfiguration}): either {@code models} or
 * {@code slices}, a merge method, an optional base model, global parameters and dtypes. The evolutionary search
 * builds these directly from genomes; {@link MergeConfigYaml} reads and writes them as mergekit YAML.
 *
 * @param models           whole-model inputs, or empty when {@code slices} or {@code modules} is used
 * @param slices           output slices (frankenmerges, per-slice parameters), or empty
 * @param modules          per module of a multi-module architecture (by its name): models or slices and parameters,
 *                         or empty
 * @param mergeMethod      a name known to {@link dev.chimera.merge.method.MergeMethods}
 * @param baseModel        model reference (a folder path), or null
 * @param parameters       global parameters
 * @param dtype            dtype inputs are read as, or null
 * @param outDtype         dtype of the written tensors, or null
 * @param tokenizerSource  null, "base", "union" or a model reference
 * @param chatTemplate     mergekit's {@code chat_template} (a template name or inline Jinja), or null
 * @param tokenizer        the {@code tokenizer:} block beyond its source, or null
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
        TokenizerBlock tokenizer,
        Map<String, OutputModule> modules) {

    /**
     * One entry of {@code modules:} (mergekit's {@code OutputModuleDefinition}): the module's inputs as models or
     * slices, and parameters that apply to its tensors (below per-slice and above global ones).
     */
    public record OutputModule(List<InputModel> models, List<OutputSlice> slices, Map<String, Setting> parameters) {
        public OutputModule {
            models = models == null ? List.of() : List.copyOf(models);
            slices = slices == null ? List.of() : List.copyOf(slices);
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
            if (models.isEmpty() == slices.isEmpty()) {
                throw new MergeException("a module needs exactly one of 'models' or 'slices'");
            }
        }
    }

    /**
     * mergekit's {@code tokenizer:} block beyond its source: padding of the vocabulary and per-token embedding sources.
     *
     * @param padToMultipleOf embedding rows up to a multiple of this (null: none)
     * @param tokens by token: where its embedding row comes from, and whether every input takes it ({@code force})
     */
    public record TokenizerBlock(Integer padToMultipleOf, Map<String, TokenEmbedding> tokens) {
        public TokenizerBlock {
            tokens = tokens == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tokens));
            if (padToMultipleOf != null && padToMultipleOf < 1) {
                throw new MergeException("tokenizer.pad_to_multiple_of must be >= 1, got " + padToMultipleOf);
            }
        }
    }

    /**
     * One token's embedding source: {@code zero}; {@code model} (that model's row of the same token); or
     * {@code model_token} (that model's row of {@code token} or of row {@code tokenId}).
     */
    public record TokenEmbedding(String kind, String model, String token, Integer tokenId, boolean force) {}

    /** A config with neither {@code chat_template}, a tokenizer block nor {@code modules}. */
    public MergeConfig(
            List<InputModel> models,
            List<OutputSlice> slices,
            String mergeMethod,
            String baseModel,
            Map<String, Setting> parameters,
            String dtype,
            String outDtype,
            String tokenizerSource) {
        this(models, slices, mergeMethod, baseModel, parameters, dtype, outDtype, tokenizerSource, null, null, null);
    }

    /** The model as it is: a passthrough merge of its folder alone (what a parent is as a candidate). */
    public static MergeConfig itself(String model) {
        return new MergeConfig(
                List.of(new InputModel(model, Map.of())), List.of(), "passthrough", null, Map.of(), null, null, null);
    }

    /** Embedding rows up to a multiple of this, or null. */
    public Integer padVocabToMultipleOf() {
        return tokenizer == null ? null : tokenizer.padToMultipleOf();
    }

    /** Per-token embedding sources of the tokenizer block (empty without one). */
    public Map<String, TokenEmbedding> tokenEmbeddings() {
        return tokenizer == null ? Map.of() : tokenizer.tokens();
    }

    public MergeConfig {
        if (tokenizer != null && tokenizerSource == null) {
            throw new MergeException("a tokenizer block comes with a tokenizer source");
        }
        models = models == null ? List.of() : List.copyOf(models);
        slices = slices == null ? List.of() : List.copyOf(slices);
        parameters = parameters == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(parameters));
        modules = modules == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(modules));
        Objects.requireNonNull(mergeMethod, "merge_method");
        int given = (models.isEmpty() ? 0 : 1) + (slices.isEmpty() ? 0 : 1) + (modules.isEmpty() ? 0 : 1);
        if (given != 1) {
            throw new MergeException("a merge config needs exactly one of 'models', 'slices' or 'modules'");
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
        addModels(out, models, slices);
        modules.values().forEach(m -> addModels(out, m.models(), m.slices()));
        if (tokenizerSource != null && !tokenizerSource.equals("base") && !tokenizerSource.equals("union")) {
            out.add(tokenizerSource);
        }
        return List.copyOf(out);
    }

    private static void addModels(Set<String> out, List<InputModel> models, List<OutputSlice> slices) {
        models.forEach(m -> out.add(m.model()));
        for (OutputSlice s : slices) {
            if (s.baseModel() != null) {
                out.add(s.baseModel());
            }
            s.sources().forEach(src -> out.add(src.model()));
        }
    }
}
