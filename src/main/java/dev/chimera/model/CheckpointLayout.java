package dev.chimera.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.chimera.tensor.DType;
import dev.chimera.tensor.HostTensors;
import dev.chimera.tensor.SafetensorsModel;
import dev.chimera.tensor.TensorInfo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checkpoint layout of the Llama family in Hugging Face's names: which tensors a config requires and their shapes,
 * read from a model folder's safetensors (widened to float32) or checked when handed over in memory.
 */
public final class CheckpointLayout {
    private CheckpointLayout() {}

    /** The tensors the config requires, with their shapes, in checkpoint order. */
    public static Map<String, long[]> expectedShapes(ModelConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long h = c.hiddenSize();
        long qDim = (long) c.numHeads() * c.headDim();
        long kvDim = (long) c.numKvHeads() * c.headDim();
        s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            String a = p + "self_attn.";
            s.put(p + "input_layernorm.weight", new long[] {h});
            s.put(a + "q_proj.weight", new long[] {qDim, h});
            s.put(a + "k_proj.weight", new long[] {kvDim, h});
            s.put(a + "v_proj.weight", new long[] {kvDim, h});
            s.put(a + "o_proj.weight", new long[] {h, qDim});
            if (c.qkvBias()) {
                s.put(a + "q_proj.bias", new long[] {qDim});
                s.put(a + "k_proj.bias", new long[] {kvDim});
                s.put(a + "v_proj.bias", new long[] {kvDim});
            }
            if (c.oBias()) {
                s.put(a + "o_proj.bias", new long[] {h});
            }
            if (c.qkNorm()) {
                s.put(a + "q_norm.weight", new long[] {c.headDim()});
                s.put(a + "k_norm.weight", new long[] {c.headDim()});
            }
            s.put(p + "post_attention_layernorm.weight", new long[] {h});
            s.put(p + "mlp.gate_proj.weight", new long[] {c.intermediateSize(), h});
            s.put(p + "mlp.up_proj.weight", new long[] {c.intermediateSize(), h});
            s.put(p + "mlp.down_proj.weight", new long[] {h, c.intermediateSize()});
        }
        s.put("model.norm.weight", new long[] {h});
        if (!c.tieWordEmbeddings()) {
            s.put("lm_head.weight", new long[] {c.vocabSize(), h});
        }
        return s;
    }

    /**
     * The weights of a Hugging Face model folder, float32 arrays in {@code manager}: f32, bf16, f16 or f64 in the files,
     * widened in Java. Tensors in the files that the model does not use are ignored.
     *
     * @throws ModelException for a missing weight, a shape or dtype mismatch
     */
    static Map<String, NDArray> read(Path dir, ModelConfig config, NDManager manager) {
        Map<String, long[]> expected = expectedShapes(config);
        try (SafetensorsModel files = SafetensorsModel.open(dir)) {
            HostTensors host = new HostTensors();
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                String name = e.getKey();
                if (!files.has(name)) {
                    throw new ModelException(dir + ": missing weight " + name + " (expected shape "
                            + Arrays.toString(e.getValue()) + ")");
                }
                TensorInfo info = files.info(name);
                if (!Arrays.equals(info.shape(), e.getValue())) {
                    throw new ModelException(dir + ": weight " + name + " has shape " + Arrays.toString(info.shape())
                            + " but the config requires " + Arrays.toString(e.getValue()));
                }
                DType dt = info.dtype();
                if (dt != DType.F32 && dt != DType.BF16 && dt != DType.F16 && dt != DType.F64) {
                    throw new ModelException(dir + ": weight " + name + " has dtype " + dt
                            + "; only F32, BF16, F16 and F64 are supported");
                }
                weights.put(name, host.toFloat32(manager, files.chunks(name), dt, info.shape()));
            }
            return weights;
        }
    }

    /**
     * Checks float32 weights already in memory against the config: all present, the right shapes, float32, on one
     * device, which it returns.
     *
     * @throws ModelException for a missing weight, a shape mismatch, a non-float32 array or mixed devices
     */
    static Device check(ModelConfig config, Map<String, NDArray> weights) {
        Map<String, long[]> expected = expectedShapes(config);
        Device device = null;
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            NDArray a = weights.get(e.getKey());
            if (a == null) {
                throw new ModelException(
                        "missing weight " + e.getKey() + " (expected shape " + Arrays.toString(e.getValue()) + ")");
            }
            if (!Arrays.equals(a.getShape().getShape(), e.getValue())) {
                throw new ModelException("weight " + e.getKey() + " has shape "
                        + Arrays.toString(a.getShape().getShape()) + " but the config requires "
                        + Arrays.toString(e.getValue()));
            }
            if (a.getDataType() != DataType.FLOAT32) {
                throw new ModelException(
                        "weight " + e.getKey() + " has data type " + a.getDataType() + "; float32 is required");
            }
            if (device == null) {
                device = a.getDevice();
            } else if (!device.equals(a.getDevice())) {
                throw new ModelException("weight " + e.getKey() + " is on " + a.getDevice() + ", others on " + device);
            }
        }
        return device;
    }
}
