package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DTypeAndTensorInfoTest {
    @Test
    void dtypeSizesNamesAndParsing() {
        assertEquals(8, DType.F64.size());
        assertEquals(2, DType.BF16.size());
        assertEquals(1, DType.BOOL.size());
        assertEquals("F8_E4M3", DType.F8_E4M3.safetensorsName());
        assertTrue(DType.F16.isFloat());
        assertFalse(DType.I32.isFloat());
        for (DType d : DType.values()) {
            assertEquals(d, DType.parse(d.safetensorsName()));
            assertEquals(d, DType.parseTorch(d.torchName()));
            assertEquals(d, DType.parseTorch("torch." + d.torchName()));
            assertTrue(d.size() <= DType.MAX_SIZE);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DType.parse("bf16"));
        assertTrue(e.getMessage().contains("\"bf16\""));
        assertTrue(e.getMessage().contains("F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL"));
        assertEquals(DType.BF16, DType.parseTorch("bfloat16"));
        assertEquals(DType.F16, DType.parseTorch("half"));
        assertEquals(DType.F32, DType.parseTorch("float"));
        assertThrows(IllegalArgumentException.class, () -> DType.parseTorch("complex64"));
    }

    @Test
    void tensorInfoCopiesAndComparesShapesByContent() {
        long[] shape = {3, 4};
        TensorInfo a = new TensorInfo("w", DType.BF16, shape, 8, 32);
        shape[0] = 99;
        assertArrayEquals(new long[] {3, 4}, a.shape());
        a.shape()[0] = 99;
        assertArrayEquals(new long[] {3, 4}, a.shape());
        TensorInfo b = new TensorInfo("w", DType.BF16, new long[] {3, 4}, 8, 32);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new TensorInfo("w", DType.BF16, new long[] {4, 3}, 8, 32));
        assertEquals(12, a.numel());
        assertEquals(24, a.byteSize());
        assertEquals(3, a.rows());
        assertEquals(8, a.rowBytes());
        assertEquals(2, a.rank());
        assertEquals(new TensorSpec("w", DType.BF16, new long[] {3, 4}), a.spec());
        assertTrue(a.toString().contains("w BF16[3, 4]"));
    }

    @Test
    void rowsOfScalarsVectorsAndEmptyTensors() {
        TensorInfo scalar = new TensorInfo("s", DType.F32, new long[] {}, 0, 4);
        assertEquals(1, scalar.rows());
        assertEquals(4, scalar.rowBytes());
        TensorInfo vector = new TensorInfo("v", DType.F32, new long[] {5}, 0, 20);
        assertEquals(5, vector.rows());
        assertEquals(4, vector.rowBytes());
        TensorInfo empty = new TensorInfo("e", DType.F32, new long[] {0, 5}, 0, 0);
        assertEquals(0, empty.rowBytes());
        assertEquals(0, new TensorInfo("z", DType.F32, new long[] {5, 0}, 0, 0).rowBytes());
    }

    @Test
    void invalidDescriptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TensorInfo("w", DType.F32, new long[] {-1}, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TensorInfo("w", DType.F32, new long[] {2}, 0, 4));
        assertThrows(
                IllegalArgumentException.class, () -> new TensorInfo("w", DType.F32, new long[] {1L << 62, 4}, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TensorSpec("w", DType.F64, new long[] {1L << 61}));
        assertThrows(IllegalArgumentException.class, () -> new TensorSpec(null, DType.F64, new long[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new TensorSpec("w", DType.F64, null));
    }
}
