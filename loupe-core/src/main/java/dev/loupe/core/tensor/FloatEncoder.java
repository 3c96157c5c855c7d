package dev.loupe.core.tensor;

import dev.loupe.core.LoupeException;

/** Writes floats as the float storage types (F32, F16, BF16), rounding exactly as ggml does. */
public final class FloatEncoder {
    private FloatEncoder() {}

    public static boolean supports(GgmlType t) {
        return t == GgmlType.F32 || t == GgmlType.F16 || t == GgmlType.BF16;
    }

    /** Encodes {@code n} values little-endian into {@code dst[dstOff..]}; returns the bytes written. */
    public static int encode(GgmlType type, float[] src, int off, int n, byte[] dst, int dstOff) {
        int p = dstOff;
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) p = putInt(dst, p, Float.floatToRawIntBits(src[off + i]), 4);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) p = putInt(dst, p, Float.floatToFloat16(src[off + i]), 2);
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) p = putInt(dst, p, toBf16(src[off + i]), 2);
            }
            default -> throw new LoupeException("cannot write floats as " + type + " (supported: F32, F16, BF16)");
        }
        return p - dstOff;
    }

    /** ggml_compute_fp32_to_bf16: round to nearest even, NaN kept quiet; the 16 bits in the low half. */
    public static int toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 64;
        return (u + (0x7fff + ((u >>> 16) & 1))) >>> 16;
    }

    private static int putInt(byte[] dst, int p, int v, int bytes) {
        for (int b = 0; b < bytes; b++) dst[p++] = (byte) (v >>> (8 * b));
        return p;
    }
}
