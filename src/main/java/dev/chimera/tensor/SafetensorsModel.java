package dev.chimera.tensor;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The weights of a Hugging Face model folder as one set of named tensors: either a single
 * {@code model.safetensors}, or shards listed by {@code model.safetensors.index.json}, or a folder
 * whose only safetensors file has another name.
 *
 * <p>Pickle checkpoints ({@code *.bin}, {@code *.pt}, ...) are refused: loading them can execute
 * arbitrary code. Thread-safe; closing closes every shard.
 */
public final class SafetensorsModel implements AutoCloseable {
    /** The single-file weights name. */
    public static final String SINGLE_FILE = "model.safetensors";

    /** The shard index name. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    private static final List<String> PICKLE_SUFFIXES = List.of(".bin", ".pt", ".pth", ".ckpt");

    private final Path dir;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byTensor;
    private final List<String> names;

    private SafetensorsModel(Path dir, List<SafetensorsFile> files, Map<String, SafetensorsFile> map) {
        this.dir = dir;
        this.files = List.copyOf(files);
        this.byTensor = Collections.unmodifiableMap(map);
        this.names = List.copyOf(map.keySet());
    }

    /** Opens a model folder with the default chunk limit. */
    public static SafetensorsModel open(Path dir) {
        return open(dir, SafetensorsFile.DEFAULT_MAX_CHUNK_BYTES);
    }

    /**
     * Opens a model folder; see the class comment for the layouts accepted.
     *
     * @throws SafetensorsException if the folder is missing, holds no safetensors weights, holds
     *     only pickle checkpoints, or any index or shard is invalid
     */
    public static SafetensorsModel open(Path dir, long maxChunkBytes) {
        if (!Files.isDirectory(dir)) {
            throw new SafetensorsException(
                    dir + ": model folder " + (Files.exists(dir) ? "is not a directory" : "not found"));
        }
        Path index = dir.resolve(INDEX_FILE);
        if (Files.exists(index)) {
            return openSharded(dir, index, maxChunkBytes);
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (!Files.exists(single)) {
            single = soleSafetensorsFile(dir);
        }
        SafetensorsFile file = SafetensorsFile.open(single, maxChunkBytes);
        return new SafetensorsModel(dir, List.of(file), mapAll(file));
    }

    private static Map<String, SafetensorsFile> mapAll(SafetensorsFile file) {
        Map<String, SafetensorsFile> map = new LinkedHashMap<>();
        for (String name : file.tensors().keySet()) {
            map.put(name, file);
        }
        return map;
    }

    /** The one {@code *.safetensors} file in a folder without index, or a clear refusal. */
    private static Path soleSafetensorsFile(Path dir) {
        List<String> safetensors = new ArrayList<>();
        List<String> pickles = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.endsWith(".safetensors") && Files.isRegularFile(p)) {
                    safetensors.add(name);
                } else if (PICKLE_SUFFIXES.stream().anyMatch(lower::endsWith)) {
                    pickles.add(name);
                }
            }
        } catch (IOException e) {
            throw new SafetensorsException(dir + ": cannot list model folder: " + e.getMessage(), e);
        }
        Collections.sort(safetensors);
        Collections.sort(pickles);
        if (safetensors.size() == 1) {
            return dir.resolve(safetensors.get(0));
        }
        if (safetensors.size() > 1) {
            throw new SafetensorsException(dir + ": found " + safetensors.size() + " .safetensors files " + safetensors
                    + " but no " + INDEX_FILE + " saying which tensor lives where");
        }
        if (!pickles.isEmpty()) {
            throw new SafetensorsException(
                    dir + ": only pickle checkpoints found " + pickles + "; they are refused for safety"
                            + " because loading a pickle can run arbitrary code. Convert the model to"
                            + " safetensors first, e.g. with the safetensors Python package:"
                            + " python -c \"import torch; from safetensors.torch import save_file;"
                            + " sd = torch.load('pytorch_model.bin', weights_only=True);"
                            + " save_file({k: v.contiguous() for k, v in sd.items()}, 'model.safetensors',"
                            + " metadata={'format': 'pt'})\" (run once per shard and write an index), or"
                            + " load and re-save with transformers: model.save_pretrained(out,"
                            + " safe_serialization=True), or use the safetensors convert script"
                            + " (https://huggingface.co/spaces/safetensors/convert)");
        }
        throw new SafetensorsException(
                dir + ": no " + SINGLE_FILE + ", " + INDEX_FILE + " or other .safetensors file found");
    }

    private static SafetensorsModel openSharded(Path dir, Path index, long maxChunkBytes) {
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            for (String shardName : weightMap.values()) {
                if (!shards.containsKey(shardName)) {
                    Path shard = dir.resolve(shardName);
                    if (!Files.exists(shard)) {
                        throw new SafetensorsException(
                                index + ": shard file " + shardName + " is listed but does not exist in " + dir);
                    }
                    shards.put(shardName, SafetensorsFile.open(shard, maxChunkBytes));
                }
            }
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                SafetensorsFile shard = shards.get(e.getValue());
                if (!shard.has(e.getKey())) {
                    throw new SafetensorsException(index + ": tensor " + SafetensorsHeader.quote(e.getKey())
                            + " is mapped to " + e.getValue() + " but that file does not contain it");
                }
                byTensor.put(e.getKey(), shard);
            }
            checkShardContents(index, weightMap, shards);
            return new SafetensorsModel(dir, new ArrayList<>(shards.values()), byTensor);
        } catch (RuntimeException | Error e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** Every tensor in a shard must be listed, and listed for that shard (no duplicates). */
    private static void checkShardContents(
            Path index, Map<String, String> weightMap, Map<String, SafetensorsFile> shards) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, SafetensorsFile> shard : shards.entrySet()) {
            for (String name : shard.getValue().tensors().keySet()) {
                String other = seen.putIfAbsent(name, shard.getKey());
                if (other != null) {
                    throw new SafetensorsException(index + ": tensor " + SafetensorsHeader.quote(name)
                            + " is present in two shards, " + other + " and " + shard.getKey());
                }
                if (!weightMap.containsKey(name)) {
                    throw new SafetensorsException(index + ": tensor " + SafetensorsHeader.quote(name) + " in shard "
                            + shard.getKey() + " is not listed in the weight_map; the index does not match the shards");
                }
            }
        }
    }

    /** Parses {@code {"metadata": {...}, "weight_map": {tensor: file}}}, keeping order. */
    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root;
        try {
            root = MAPPER.readTree(index.toFile());
        } catch (IOException e) {
            throw new SafetensorsException(index + ": cannot read shard index: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new SafetensorsException(index + ": shard index has no \"weight_map\" object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            JsonNode file = e.getValue();
            if (!file.isTextual() || !isPlainFileName(file.textValue())) {
                throw new SafetensorsException(
                        index + ": weight_map entry for tensor " + SafetensorsHeader.quote(e.getKey())
                                + " must be a file name in the model folder, got " + file);
            }
            out.put(e.getKey(), file.textValue());
        }
        if (out.isEmpty()) {
            throw new SafetensorsException(index + ": weight_map is empty");
        }
        return out;
    }

    /** Refuses paths that would leave the model folder ("../x", "/etc/x", "a/b"). */
    private static boolean isPlainFileName(String name) {
        return !name.isEmpty()
                && !name.equals(".")
                && !name.equals("..")
                && name.indexOf('/') < 0
                && name.indexOf('\\') < 0
                && name.indexOf('\0') < 0;
    }

    /** The model folder. */
    public Path dir() {
        return dir;
    }

    /** Tensor names: index order for sharded models, header order otherwise. */
    public List<String> names() {
        return names;
    }

    /** Whether the model has a tensor of this name. */
    public boolean has(String name) {
        return byTensor.containsKey(name);
    }

    /**
     * Where and what a tensor is; offsets are relative to its own shard.
     *
     * @throws SafetensorsException naming the folder and tensor if absent
     */
    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    /** The tensor's bytes as chunks; see {@link SafetensorsFile#chunks}. */
    public List<ByteBuffer> chunks(String name) {
        return file(name).chunks(name);
    }

    /** Copies a small tensor's bytes; see {@link SafetensorsFile#readBytes}. */
    public byte[] readBytes(String name) {
        return file(name).readBytes(name);
    }

    /** The shard holding a tensor. */
    public Path fileOf(String name) {
        return file(name).path();
    }

    /** The opened safetensors files, in index order. */
    public List<Path> files() {
        return files.stream().map(SafetensorsFile::path).toList();
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new SafetensorsException(
                    dir + ": model has no tensor " + SafetensorsHeader.quote(String.valueOf(name)));
        }
        return f;
    }

    /** Closes every shard. */
    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "SafetensorsModel[" + dir + ", " + names.size() + " tensors in " + files.size() + " files]";
    }
}
