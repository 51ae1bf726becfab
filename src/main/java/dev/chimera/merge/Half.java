package dev.chimera.merge;

/** IEEE half and bfloat16 conversions with round-to-nearest-even, as torch's {@code .to(dtype)} does. */
public final class Half {
    private Half() {
    }

    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040); // quiet NaN, sign kept
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }

    public static float fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    public static float toFloat(short h) {
        int v = h & 0xffff;
        int sign = (v & 0x8000) << 16;
        int exp = (v >>> 10) & 0x1f;
        int mant = v & 0x3ff;
        if (exp == 0) {
            float m = mant * 0x1.0p-24f;
            return sign != 0 ? -m : m;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    public static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            return (short) (sign | (abs > 0x7f800000 ? 0x7e00 : 0x7c00));
        }
        if (abs >= 0x477ff000) { // >= 65520 rounds to infinity
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) { // below 2^-14: subnormal (exact in double, rint is round-half-even)
            int h = (int) Math.rint(Float.intBitsToFloat(abs) * 16777216.0);
            return (short) (sign | h);
        }
        int e = (abs >>> 23) - 127 + 15;
        int mant = abs & 0x7fffff;
        int h = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1)) {
            h++;
        }
        return (short) (sign | h);
    }
}
