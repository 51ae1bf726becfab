package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-checks with Hugging Face's own implementation: files written by Chimera must load in
 * Python's {@code safetensors} (and its F16/BF16 rounding must match numpy's and torch's rule),
 * and files written by Python must load in Chimera. Skipped when python3 with {@code safetensors}
 * and {@code numpy} is not available.
 */
class PythonInteropTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void requirePython() {
        Assumptions.assumeTrue(
                run(List.of("python3", "-c", "import safetensors.numpy, numpy")).startsWith("OK"),
                "python3 with safetensors and numpy not available");
    }

    /** Runs a command; returns "OK\n" + stdout, or "FAIL ..." (never throws). */
    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "FAIL timeout";
            }
            return p.exitValue() == 0 ? "OK\n" + new String(out, StandardCharsets.UTF_8) : "FAIL " + err;
        } catch (Exception e) {
            return "FAIL " + e;
        }
    }

    private static JsonNode python(String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
        cmd.addAll(List.of(args));
        String result = run(cmd);
        assertTrue(result.startsWith("OK"), result);
        return new ObjectMapper().readTree(result.substring(3));
    }

    private static final String READ_SCRIPT = String.join(
            "\n",
            "import json, sys, os, numpy as np, safetensors",
            "from safetensors.numpy import load_file",
            "d = sys.argv[1]",
            "index = json.load(open(os.path.join(d, 'model.safetensors.index.json')))",
            "out = {'tensors': {}, 'metadata': {}}",
            "for f in sorted(set(index['weight_map'].values())):",
            "    raw = open(os.path.join(d, f), 'rb').read()",
            "    for name, t in safetensors.deserialize(raw):", // Rust validation of the whole file
            "        assert index['weight_map'][name] == f, name",
            "        out['tensors'][name] = {'dtype': t['dtype'], 'shape': list(t['shape']),",
            "                                'hex': bytes(t['data']).hex()}",
            "    with safetensors.safe_open(os.path.join(d, f), 'np') as s:",
            "        out['metadata'][f] = s.metadata()",
            "    try:",
            "        load_file(os.path.join(d, f))",
            "    except Exception as e:", // numpy has no bfloat16; everything else must load
            "        assert 'bf16' in str(e).lower() or 'bfloat16' in str(e).lower(), e",
            "x = np.frombuffer(bytes.fromhex(out['tensors']['f32']['hex']), '<f4')",
            "mine = np.frombuffer(bytes.fromhex(out['tensors']['f16']['hex']), '<u2')",
            "ref = x.astype('<f2').view('<u2')",
            // numpy keeps NaN payloads, torch (and Chimera) write a quiet NaN: compare NaN-ness only
            "differs = np.where(np.isnan(x), (mine & 0x7C00 != 0x7C00) | (mine & 0x3FF == 0), mine != ref)",
            "bad = [(hex(x.view('<u4')[i]), hex(mine[i]), hex(ref[i])) for i in np.nonzero(differs)[0]]",
            "out['f16_mismatches'] = [str(b) for b in bad[:10]]",
            "out['f16_matches_numpy'] = len(bad) == 0",
            "u = x.view('<u4').astype(np.uint64)",
            "bf = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype('<u2')",
            "bf[np.isnan(x)] = 0x7FC0",
            "out['bf16_matches_torch_rule'] = bf.tobytes().hex() == out['tensors']['bf16']['hex']",
            "print(json.dumps(out))");

    @Test
    void pythonReadsWhatChimeraWrites() throws Exception {
        Random r = new Random(42);
        float[] values = new float[4000];
        for (int i = 0; i < values.length; i++) {
            int kind = i % 4;
            values[i] = kind == 0
                    ? (float) r.nextGaussian()
                    : kind == 1
                            ? Float.intBitsToFloat(r.nextInt()) // any bit pattern, NaN and inf too
                            : kind == 2
                                    ? (float) (r.nextGaussian() * 1e-6) // f16 subnormals
                                    : (float) (r.nextGaussian() * 70000); // f16 overflow
        }
        Map<String, byte[]> data = new LinkedHashMap<>();
        data.put("f32", FloatCodec.encode(values, DType.F32));
        data.put("f16", FloatCodec.encode(values, DType.F16));
        data.put("bf16", FloatCodec.encode(values, DType.BF16));
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec("f32", DType.F32, new long[] {40, 100}));
        specs.add(new TensorSpec("f16", DType.F16, new long[] {40, 100}));
        specs.add(new TensorSpec("bf16", DType.BF16, new long[] {4000}));
        for (DType d : new DType[] {
            DType.F64, DType.I64, DType.I32, DType.I16, DType.I8, DType.U8, DType.U16, DType.U32, DType.U64
        }) {
            String name = d.name().toLowerCase();
            specs.add(new TensorSpec(name, d, new long[] {3, 5}));
            data.put(name, SafetensorsTestFiles.bytes(15 * d.size(), d.ordinal()));
        }
        specs.add(new TensorSpec("bool", DType.BOOL, new long[] {2, 2}));
        data.put("bool", new byte[] {0, 1, 1, 0});
        specs.add(new TensorSpec("scalar", DType.F32, new long[] {}));
        data.put("scalar", FloatCodec.encode(new float[] {2.5f}, DType.F32));
        specs.add(new TensorSpec("empty", DType.F32, new long[] {0, 3}));
        data.put("empty", new byte[0]);

        try (ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(dir, specs, 10_000)) {
            assertTrue(w.shardFiles().size() > 1);
            for (TensorSpec s : specs) {
                w.write(s.name(), ByteBuffer.wrap(data.get(s.name())));
            }
            w.finish();
        }
        JsonNode out = python(READ_SCRIPT, dir.toString());
        for (TensorSpec s : specs) {
            JsonNode t = out.get("tensors").get(s.name());
            assertEquals(s.dtype().safetensorsName(), t.get("dtype").asText(), s.name());
            assertEquals(s.rank(), t.get("shape").size());
            assertArrayEquals(
                    data.get(s.name()), HexFormat.of().parseHex(t.get("hex").asText()), s.name());
        }
        out.get("metadata").forEach(m -> assertEquals("pt", m.get("format").asText()));
        assertTrue(
                out.get("f16_matches_numpy").asBoolean(),
                "F16 rounding differs from numpy: " + out.get("f16_mismatches"));
        assertTrue(out.get("bf16_matches_torch_rule").asBoolean(), "BF16 rounding differs");
    }

    private static final String WRITE_SCRIPT = String.join(
            "\n",
            "import sys, numpy as np, safetensors",
            "from safetensors.numpy import save_file",
            "a = np.arange(24)",
            "t = {'f64': (a * 0.5).astype('<f8').reshape(2, 3, 4),",
            "     'f32': (a * -0.25).astype('<f4').reshape(4, 6),",
            "     'f16': (a * 0.125).astype('<f2').reshape(24),",
            "     'i64': (a - 12).astype('<i8'), 'i32': (a * 1000).astype('<i4'),",
            "     'i16': (a - 5).astype('<i2'), 'i8': (a - 7).astype('i1'),",
            "     'u8': a.astype('u1'), 'bool': (a % 3 == 0), 'u16': (a * 2).astype('<u2'),",
            "     'scalar': np.array(3.5, dtype='<f4'), 'empty': np.zeros((0, 4), dtype='<f4')}",
            "save_file(t, sys.argv[1], metadata={'format': 'np', 'k': 'v'})",
            "bf = ((a * 0.5).astype('<f4').view('<u4') >> 16).astype('<u2')", // exact in bf16
            "spec = safetensors.TensorSpec(dtype='bfloat16', shape=[24], data_ptr=bf.ctypes.data,",
            "                              data_len=bf.nbytes)",
            "safetensors.serialize_file({'bf16': spec}, sys.argv[2], metadata=None)",
            "print('{}')");

    @Test
    void chimeraReadsWhatPythonWrites() throws Exception {
        Path a = dir.resolve("py.safetensors");
        Path b = dir.resolve("bf16.safetensors");
        python(WRITE_SCRIPT, a.toString(), b.toString());
        try (SafetensorsFile f = SafetensorsFile.open(a, 16, 64)) {
            assertEquals(Map.of("format", "np", "k", "v"), f.metadata());
            assertArrayEquals(new long[] {2, 3, 4}, f.info("f64").shape());
            float[] f64 = FloatCodec.decode(f.chunks("f64"), DType.F64);
            float[] f32 = FloatCodec.decode(f.chunks("f32"), DType.F32);
            float[] f16 = FloatCodec.decode(f.chunks("f16"), DType.F16);
            ByteBuffer i64 = ByteBuffer.wrap(f.readBytes("i64")).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer i32 = ByteBuffer.wrap(f.readBytes("i32")).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer i16 = ByteBuffer.wrap(f.readBytes("i16")).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer u16 = ByteBuffer.wrap(f.readBytes("u16")).order(ByteOrder.LITTLE_ENDIAN);
            byte[] i8 = f.readBytes("i8");
            byte[] u8 = f.readBytes("u8");
            byte[] bool = f.readBytes("bool");
            for (int i = 0; i < 24; i++) {
                assertEquals(i * 0.5f, f64[i]);
                assertEquals(i * -0.25f, f32[i]);
                assertEquals(i * 0.125f, f16[i]);
                assertEquals(i - 12, i64.getLong());
                assertEquals(i * 1000, i32.getInt());
                assertEquals(i - 5, i16.getShort());
                assertEquals(i * 2, u16.getShort());
                assertEquals(i - 7, i8[i]);
                assertEquals(i, u8[i]);
                assertEquals(i % 3 == 0 ? 1 : 0, bool[i]);
            }
            assertEquals(DType.BOOL, f.info("bool").dtype());
            assertEquals(DType.U16, f.info("u16").dtype());
            assertEquals(3.5f, f.chunks("scalar").get(0).getFloat(0));
            assertEquals(0, f.info("empty").byteSize());
        }
        try (SafetensorsFile f = SafetensorsFile.open(b)) {
            float[] bf = FloatCodec.decode(f.chunks("bf16"), DType.BF16);
            for (int i = 0; i < 24; i++) {
                assertEquals(i * 0.5f, bf[i]);
            }
        }
    }
}
