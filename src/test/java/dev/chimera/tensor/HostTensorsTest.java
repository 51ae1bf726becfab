package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The split of large tensors into pieces (so no Java buffer nears 2 GiB) exercised with tiny piece and chunk
 * sizes: values must survive decode -> NDArray -> encode for every float dtype, whatever the split.
 */
class HostTensorsTest {
    @Test
    void roundTripAcrossPiecesAndChunks() {
        int rows = 7;
        int cols = 5;
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i - 17) * 0.37f;
        }
        for (DType d : List.of(DType.F32, DType.BF16, DType.F16, DType.F64)) {
            ByteBuffer all = ByteBuffer.allocate(v.length * d.size()).order(ByteOrder.LITTLE_ENDIAN);
            float[] expected = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                switch (d) {
                    case F32 -> all.putFloat(v[i]);
                    case BF16 -> all.putShort(Bf16.fromFloat(v[i]));
                    case F16 -> all.putShort(F16.fromFloat(v[i]));
                    default -> all.putDouble(v[i]);
                }
                expected[i] = switch (d) {
                    case BF16 -> Bf16.toFloat(Bf16.fromFloat(v[i]));
                    case F16 -> F16.toFloat(F16.fromFloat(v[i]));
                    default -> v[i];
                };
            }
            // chunks of 2 rows (as the reader splits on row boundaries), pieces of 3 elements
            List<ByteBuffer> chunks = new ArrayList<>();
            for (int r = 0; r < rows; r += 2) {
                int n = Math.min(2, rows - r) * cols * d.size();
                chunks.add(all.duplicate()
                        .position(r * cols * d.size())
                        .limit(r * cols * d.size() + n)
                        .slice()
                        .order(ByteOrder.LITTLE_ENDIAN));
            }
            HostTensors host = new HostTensors(3);
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                NDArray a = host.toFloat32(m, chunks, d, new long[] {rows, cols});
                assertEquals(rows, a.getShape().get(0));
                assertArrayEquals(expected, a.toFloatArray(), 0f, d.toString());
                List<ByteBuffer> out = host.encode(a, d);
                assertEquals((v.length + 2) / 3, out.size(), "pieces of 3 elements");
                ByteBuffer joined = ByteBuffer.allocate(v.length * d.size());
                out.forEach(b -> joined.put(b.duplicate()));
                assertArrayEquals(all.array(), joined.array(), d.toString());
            }
        }
    }
}
