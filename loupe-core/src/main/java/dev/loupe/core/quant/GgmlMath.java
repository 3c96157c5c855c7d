package dev.loupe.core.quant;

/**
 * The rounding primitives of ggml's reference quantizers, reproduced bit for bit. Byte-identical output
 * with llama-quantize depends on these matching C exactly: ggml-base is compiled without -march=native
 * and without -ffast-math, so its float arithmetic is plain IEEE single precision with no FMA contraction,
 * which is what Java's float arithmetic is too.
 */
final class GgmlMath {
    private GgmlMath() {}

    /**
     * ggml's {@code nearest_int}: adding 1.5*2^23 makes the FPU round to an integer (ties to even), and
     * the integer is read back from the mantissa. Valid for |f| <= 4194303, as in ggml (which asserts it).
     */
    static int nearestInt(float f) {
        float v = f + 12582912f;
        return (Float.floatToRawIntBits(v) & 0x007fffff) - 0x00400000;
    }

    /** C's {@code roundf}: halves away from zero (Math.round rounds them up, which differs for negatives). */
    static float roundf(float f) {
        // |f| + 0.5 is exact in double for every float, so floor gives the right integer.
        double r = Math.floor(Math.abs((double) f) + 0.5);
        return (float) Math.copySign(r, f);
    }

    /** C's float-to-integer conversion (truncation toward zero), as in {@code (int8_t)(x + 8.5f)}. */
    static int truncate(float f) {
        return (int) f;
    }

    /** GGML_FP32_TO_FP16: round to nearest even. Returns the half's bits. */
    static short toHalf(float f) {
        return Float.floatToFloat16(f);
    }

    /** GGML_FP16_TO_FP32 of {@link #toHalf}: the value the block actually stores, which ggml reuses. */
    static float halfRounded(float f) {
        return Float.float16ToFloat(Float.floatToFloat16(f));
    }

    static void putHalf(byte[] dst, int off, float f) {
        short h = toHalf(f);
        dst[off] = (byte) h;
        dst[off + 1] = (byte) (h >>> 8);
    }
}
