package dev.chimera.tensor;

/**
 * IEEE half-precision bit conversions, round to nearest with ties to even (as PyTorch and numpy
 * do). NaN becomes a quiet NaN {@code 0x7E00} with the input's sign. Java 17 lacks {@code
 * Float.floatToFloat16}, which arrived in Java 20.
 */
public final class F16 {
    private F16() {}

    private static final int FLOAT_INF = 0x7F800000;
    /** 65520: halfway between the largest half (65504) and 65536; rounds to infinity. */
    private static final int ROUNDS_TO_INF = 0x477FF000;
    /** 2^-14, the smallest normal half. */
    private static final int MIN_NORMAL = 0x38800000;
    /** Exponent rebias from float (127) to half (15): 112 in the exponent field. */
    private static final int REBIAS = 112 << 23;

    /** The half-precision bits nearest to {@code f}. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFFFFFF;
        if (abs > FLOAT_INF) {
            return (short) (sign | 0x7E00);
        }
        if (abs >= ROUNDS_TO_INF) {
            return (short) (sign | 0x7C00);
        }
        if (abs >= MIN_NORMAL) {
            int m = abs - REBIAS;
            int rounded = m + 0xFFF + ((m >>> 13) & 1); // a carry into the exponent is correct
            return (short) (sign | (rounded >>> 13));
        }
        // Subnormal or zero: count units of 2^-24; the product is exact in double, rint ties to even.
        int units = (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24);
        return (short) (sign | units);
    }

    /** The float with these half-precision bits (exact). */
    public static float toFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0) {
            float v = mantissa * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exponent == 31) {
            return Float.intBitsToFloat(sign | FLOAT_INF | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
