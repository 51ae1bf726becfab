package dev.chimera.tensor;

/**
 * bfloat16 bit conversions matching PyTorch ({@code c10::BFloat16}): round to nearest, ties to
 * even; every NaN becomes the canonical quiet NaN {@code 0x7FC0}.
 */
public final class Bf16 {
    private Bf16() {}

    /** The bfloat16 bits nearest to {@code f}. */
    public static short fromFloat(float f) {
        if (Float.isNaN(f)) {
            return (short) 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(f);
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** The float with these bfloat16 bits (exact). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
