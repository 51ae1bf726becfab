package dev.chimera.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.merge.method.MergeException;
import dev.chimera.tensor.HostTensors;
import dev.chimera.tensor.SafetensorsFile;
import dev.chimera.tensor.SafetensorsModel;
import dev.chimera.tensor.ShardedSafetensorsWriter;
import dev.chimera.tensor.TensorInfo;
import dev.chimera.tensor.TensorSpec;
import dev.chimera.tensor.TokenizerFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A mergekit {@code model+adapter} reference: a PEFT LoRA adapter applied to its model, as peft's
 * {@code merge_and_unload} does and mergekit then merges: every target weight W becomes W + s B A, with
 * s = lora_alpha / r (lora_alpha / sqrt(r) with {@code use_rslora}) and B A transposed for {@code fan_in_fan_out}.
 * Computed in float32 and rounded once to W's dtype. The applied model is written once to a cache folder keyed by
 * both folders' files (name, size, time) and reused. Adapters with DoRA, trained biases or {@code modules_to_save} are
 * refused by name: their merge is more than the B A delta.
 */
final class LoraAdapter {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ADAPTER_FILE = "adapter_model.safetensors";
    static final String ADAPTER_CONFIG = "adapter_config.json";

    private LoraAdapter() {}

    /** The cache root: {@code chimera.lora-cache}, else ~/.cache/chimera/lora. */
    static Path cacheRoot() {
        String p = System.getProperty("chimera.lora-cache");
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".cache", "chimera", "lora");
    }

    /** The folder of {@code model} with {@code adapter} applied (made once per pair of folder contents). */
    static Path applied(Path model, Path adapter, Path cacheRoot) {
        Path out = cacheRoot.resolve(key(model, adapter));
        if (Files.isRegularFile(out.resolve("config.json"))) {
            return out;
        }
        Path tmp = cacheRoot.resolve(
                out.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            write(model, adapter, tmp);
            try {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isRegularFile(out.resolve("config.json"))) {
                    throw raced;
                }
                deleteTree(tmp); // another process made it meanwhile
            }
            return out;
        } catch (IOException e) {
            throw new MergeException(
                    "cannot apply LoRA adapter " + adapter + " to " + model + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path model, Path adapter, Path out) throws IOException {
        JsonNode cfg = JSON.readTree(adapter.resolve(ADAPTER_CONFIG).toFile());
        if (cfg.path("use_dora").asBoolean(false)) {
            throw new MergeException(adapter + ": DoRA adapters (use_dora) are not supported");
        }
        String bias = cfg.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw new MergeException(
                    adapter + ": adapters with trained biases (bias = " + bias + ") are not supported");
        }
        if (cfg.hasNonNull("modules_to_save") && cfg.get("modules_to_save").size() > 0) {
            throw new MergeException(adapter + ": adapters with modules_to_save are not supported");
        }
        int r = cfg.path("r").asInt(0);
        if (r <= 0) {
            throw new MergeException(adapter + "/" + ADAPTER_CONFIG + ": r must be a positive integer");
        }
        double alpha = cfg.path("lora_alpha").asDouble(r);
        double scale = cfg.path("use_rslora").asBoolean(false) ? alpha / Math.sqrt(r) : alpha / r;
        boolean fanInFanOut = cfg.path("fan_in_fan_out").asBoolean(false);
        try (SafetensorsModel base = SafetensorsModel.open(model);
                SafetensorsFile lora = SafetensorsFile.open(adapter.resolve(ADAPTER_FILE));
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            // lora_A / lora_B pairs by the weight they change: base_model.model.<module>.lora_A.weight ->
            // <module>.weight
            Map<String, String[]> pairs = new LinkedHashMap<>();
            for (String name : lora.tensors().keySet()) {
                String m = name.replaceFirst("^base_model\\.model\\.", "");
                if (m.endsWith(".lora_A.weight") || m.endsWith(".lora_B.weight")) {
                    String target = m.substring(0, m.length() - ".lora_A.weight".length()) + ".weight";
                    pairs.computeIfAbsent(target, k -> new String[2])[m.endsWith(".lora_A.weight") ? 0 : 1] = name;
                } else {
                    throw new MergeException(adapter + ": tensor " + name + " is not a LoRA A or B matrix"
                            + " (embedding adapters and saved modules are not supported)");
                }
            }
            for (Map.Entry<String, String[]> p : pairs.entrySet()) {
                if (p.getValue()[0] == null || p.getValue()[1] == null || !base.has(p.getKey())) {
                    throw new MergeException(
                            adapter + ": " + p.getKey() + " has no complete A/B pair or is not a weight of " + model);
                }
            }
            List<TensorSpec> specs = new ArrayList<>();
            for (String name : base.names()) {
                TensorInfo info = base.info(name);
                specs.add(new TensorSpec(name, info.dtype(), info.shape()));
            }
            HostTensors host = new HostTensors();
            try (ShardedSafetensorsWriter writer =
                    new ShardedSafetensorsWriter(out, specs, ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES)) {
                for (String name : base.names()) {
                    String[] ab = pairs.get(name);
                    if (ab == null) {
                        writer.write(name, base.chunks(name));
                        continue;
                    }
                    try (NDManager scope = manager.newSubManager()) {
                        TensorInfo info = base.info(name);
                        NDArray w = host.toFloat32(scope, base.chunks(name), info.dtype(), info.shape());
                        TensorInfo ia = lora.info(ab[0]);
                        TensorInfo ib = lora.info(ab[1]);
                        NDArray a = host.toFloat32(scope, lora.chunks(ab[0]), ia.dtype(), ia.shape());
                        NDArray b = host.toFloat32(scope, lora.chunks(ab[1]), ib.dtype(), ib.shape());
                        NDArray delta = b.matMul(a).mul((float) scale);
                        if (fanInFanOut) {
                            delta = delta.transpose();
                        }
                        if (!delta.getShape().equals(w.getShape())) {
                            throw new MergeException(adapter + ": the delta of " + name + " has shape "
                                    + delta.getShape() + ", the weight " + w.getShape());
                        }
                        writer.write(name, host.encode(w.add(delta), info.dtype()));
                    }
                }
                writer.finish();
            }
        }
        for (String f : List.of("config.json", "generation_config.json")) {
            if (Files.isRegularFile(model.resolve(f))) {
                Files.copy(model.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        TokenizerFiles.copy(model, out);
    }

    /** The cache key: both folders' file names, sizes and modification times. */
    private static String key(Path model, Path adapter) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Path dir : List.of(model, adapter)) {
                d.update(dir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.sorted().toList()) {
                        d.update((f.getFileName() + ":" + Files.size(f) + ":"
                                        + Files.getLastModifiedTime(f).toMillis())
                                .getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            return HexFormat.of().formatHex(d.digest()).substring(0, 24);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new MergeException("cannot read " + model + " or " + adapter + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((x, y) -> y.compareTo(x)).toList()) {
                Files.delete(p);
            }
        }
    }
}
