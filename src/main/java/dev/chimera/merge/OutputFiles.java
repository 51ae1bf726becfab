package dev.chimera.merge;

import dev.chimera.merge.method.MergeException;
import dev.chimera.tensor.HfConfig;
import dev.chimera.tensor.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files written beside the merged tensors: config.json (the donor's, with the output layer count, vocab size
 * and dtype), the tokenizer files of the donor or {@code tokenizer_source}, and the merge config as
 * {@code mergekit_config.yml}, as mergekit does.
 */
final class OutputFiles {
    private OutputFiles() {}

    static void write(MergeConfig config, MergePlan plan, ModelFolders models, Path dir) {
        HfConfig cfg = models.config(plan.donor()).withIntsAt(plan.layerCounts());
        if (plan.outVocab() > 0) {
            cfg = cfg.withVocabSize(Math.toIntExact(plan.outVocab()));
        }
        if (plan.outDtypeName() != null) {
            cfg = cfg.withTorchDtype(plan.outDtypeName());
        }
        cfg.write(dir);
        TokenizerFiles.copy(models.dir(plan.tokenizerFrom()), dir);
        String template = ChatTemplates.resolve(
                config.chatTemplate(),
                config.referencedModels().stream().map(models::dir).toList());
        if (template != null) {
            ChatTemplates.write(dir, template);
        }
        if (plan.unionVocab() != null) {
            TokenizerVocab.read(models.dir(plan.tokenizerFrom())).writeUnion(plan.unionVocab(), dir);
        }
        try {
            Files.writeString(dir.resolve("mergekit_config.yml"), MergeConfigYaml.write(config));
        } catch (IOException e) {
            throw new MergeException("cannot write mergekit_config.yml in " + dir + ": " + e.getMessage(), e);
        }
    }
}
