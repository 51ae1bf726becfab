package dev.chimera.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FloatCodecTest {
    private static int bf(float f) {
        return Bf16.fromFloat(f) & 0xFFFF;
    }

    private static int half(float f) {
        return F16.fromFloat(f) & 0xFFFF;
    }

    @Test
    void bf16RoundsToNearestEvenLikeTorch() {
        assertEquals(0x3F80, bf(1f));
        assertEquals(0x3F80, bf(Float.intBitsToFloat(0x3F808000))); // tie, even stays
        assertEquals(0x3F82, bf(Float.intBitsToFloat(0x3F818000))); // tie, odd rounds up
        assertEquals(0x3F81, bf(Float.intBitsToFloat(0x3F808001))); // above the tie
        assertEquals(0x7F80, bf(Float.POSITIVE_INFINITY));
        assertEquals(0xFF80, bf(Float.NEGATIVE_INFINITY));
        assertEquals(0x7F80, bf(Float.MAX_VALUE)); // rounds up to infinity
        assertEquals(0x7FC0, bf(Float.NaN));
        assertEquals(0x7FC0, bf(Float.intBitsToFloat(0xFFFFFFFF)));
        assertEquals(0x8000, bf(-0f));
        for (int h = 0; h < 0x10000; h++) {
            float f = Bf16.toFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals(h, bf(f), "bf16 " + Integer.toHexString(h));
            }
        }
    }

    @Test
    void f16RoundTripsAllValuesAndRoundsToNearestEven() {
        for (int h = 0; h < 0x10000; h++) {
            float f = F16.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertEquals(h & 0x8000 | 0x7E00, half(f));
            } else {
                assertEquals(h, half(f), "f16 " + Integer.toHexString(h));
            }
        }
        // Midpoints between neighbours (exact in float: 12 significant bits) go to the even one.
        for (int h = 0; h < 0x7BFF; h++) {
            float mid = (F16.toFloat((short) h) + F16.toFloat((short) (h + 1))) / 2;
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals(even, half(mid), "mid " + Integer.toHexString(h));
            assertEquals(even | 0x8000, half(-mid), "-mid " + Integer.toHexString(h));
        }
        assertEquals(0x7BFF, half(65504f));
        assertEquals(0x7BFF, half(65519.99f));
        assertEquals(0x7C00, half(65520f));
        assertEquals(0xFC00, half(-1e10f));
        assertEquals(0x0001, half(0x1p-24f));
        assertEquals(0x0000, half(0x1p-25f)); // tie to even (zero)
        assertEquals(0x0001, half(Math.nextUp(0x1p-25f)));
        assertEquals(0x0400, half(0x1p-14f));
        assertEquals(0x3C00, half(1f));
        assertEquals(0xC000, half(-2f));
    }

    @Test
    void encodeDecodeRoundTripsAcrossChunks() {
        float[] v = {1.5f, -3.25f, 0f, 1e-3f, 7f, 65504f};
        for (DType d : List.of(DType.F64, DType.F32, DType.F16, DType.BF16)) {
            byte[] bytes = FloatCodec.encode(v, d);
            assertEquals(v.length * d.size(), bytes.length);
            ByteBuffer all = ByteBuffer.wrap(bytes);
            int cut = 2 * d.size();
            float[] back = FloatCodec.decode(List.of(all.slice(0, cut), all.slice(cut, bytes.length - cut)), d);
            for (int i = 0; i < v.length; i++) {
                float expected = d == DType.BF16
                        ? Bf16.toFloat(Bf16.fromFloat(v[i]))
                        : d == DType.F16 ? F16.toFloat(F16.fromFloat(v[i])) : v[i];
                assertEquals(expected, back[i], d + " " + i);
            }
        }
        assertArrayEquals(
                new float[] {1f},
                FloatCodec.decode(ByteBuffer.wrap(FloatCodec.encode(new float[] {1f}, DType.F32)), DType.F32));
        assertThrows(IllegalArgumentException.class, () -> FloatCodec.encode(v, DType.I32));
        assertThrows(IllegalArgumentException.class, () -> FloatCodec.decode(ByteBuffer.allocate(3), DType.F32));
        assertTrue(FloatCodec.decode(List.of(), DType.F32).length == 0);
    }
}
