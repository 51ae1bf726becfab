package dev.chimera.merge;

import dev.chimera.merge.method.MergeException;
import dev.chimera.tensor.HfConfig;
import dev.chimera.tensor.SafetensorsModel;
import dev.chimera.tensor.TensorInfo;
import dev.chimera.tensor.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The input model folders of a merge, opened once (headers only; tensors are read lazily from memory maps).
 * A relative reference is looked up in the working directory, then beside the config file.
 */
public final class ModelFolders implements AutoCloseable {
    private final Map<String, Opened> byRef = new LinkedHashMap<>();

    private record Opened(Path dir, SafetensorsModel tensors, HfConfig config, DiskSource source) {}

    private ModelFolders() {}

    public static ModelFolders open(List<String> refs, Path configDir) {
        ModelFolders mf = new ModelFolders();
        try {
            for (String ref : refs) {
                Path dir = resolve(ref, configDir);
                HfConfig cfg = HfConfig.read(dir);
                SafetensorsModel st = SafetensorsModel.open(dir);
                mf.byRef.put(ref, new Opened(dir, st, cfg, new DiskSource(ref, st, cfg)));
            }
            return mf;
        } catch (RuntimeException e) {
            mf.close();
            throw e;
        }
    }

    static Path resolve(String ref, Path configDir) {
        Path p = Path.of(ref);
        if (Files.isDirectory(p)) {
            return p;
        }
        int plus = ref.indexOf('+');
        if (plus > 0 && plus < ref.length() - 1) {
            // mergekit's model+adapter: the model with its LoRA adapter applied (made once, cached)
            return LoraAdapter.applied(
                    resolve(ref.substring(0, plus), configDir),
                    resolve(ref.substring(plus + 1), configDir),
                    LoraAdapter.cacheRoot());
        }
        if (!p.isAbsolute() && configDir != null && Files.isDirectory(configDir.resolve(ref))) {
            return configDir.resolve(ref);
        }
        throw new MergeException("model folder '" + ref + "' not found (looked in " + p.toAbsolutePath()
                + (configDir != null && !p.isAbsolute()
                        ? " and " + configDir.resolve(ref).toAbsolutePath()
                        : "")
                + "); Chimera reads local Hugging Face folders, it does not download models");
    }

    public SourceModel source(String ref) {
        Opened o = byRef.get(ref);
        return o == null ? null : o.source();
    }

    public SafetensorsModel folder(String ref) {
        return opened(ref).tensors();
    }

    public HfConfig config(String ref) {
        return opened(ref).config();
    }

    public Path dir(String ref) {
        return opened(ref).dir();
    }

    private Opened opened(String ref) {
        Opened o = byRef.get(ref);
        if (o == null) {
            throw new MergeException("model " + ref + " was not opened");
        }
        return o;
    }

    @Override
    public void close() {
        for (Opened o : byRef.values()) {
            o.tensors().close();
        }
        byRef.clear();
    }

    private record DiskSource(String ref, SafetensorsModel tensors, HfConfig config) implements SourceModel {
        @Override
        public List<String> tensorNames() {
            return tensors.names();
        }

        @Override
        public TensorSpec spec(String tensorName) {
            if (!tensors.has(tensorName)) {
                return null;
            }
            TensorInfo info = tensors.info(tensorName);
            return info.spec();
        }

        @Override
        public TokenizerVocab vocab() {
            return TokenizerVocab.read(tensors.dir());
        }
    }
}
