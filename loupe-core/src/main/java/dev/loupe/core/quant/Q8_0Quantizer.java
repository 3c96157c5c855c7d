package dev.loupe.core.quant;

import dev.loupe.core.tensor.GgmlType;

/**
 * {@code quantize_row_q8_0_ref}: per 32 values, d = absmax/127 and q = roundf(x/d). Block: d (f16), 32 x int8.
 * The {@link #x86()} variant is the AVX2 {@code quantize_row_q8_0} of ggml-cpu's arch/x86/quants.c, the
 * {@code from_float} llama.cpp's CPU backend runs when it writes floats into a Q8_0 tensor (the KV cache): its
 * multiplier is 127/absmax (not 1/d) and it rounds half to even (not away from zero).
 */
final class Q8_0Quantizer implements RowQuantizer {
    private static final int QK = 32;

    private final boolean x86;

    /** The reference (llama-quantize's bytes). */
    Q8_0Quantizer() {
        this(false);
    }

    private Q8_0Quantizer(boolean x86) {
        this.x86 = x86;
    }

    /** The CPU backend's conversion on x86 (see the class comment). */
    static Q8_0Quantizer x86() {
        return new Q8_0Quantizer(true);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        int o = dstOff;
        for (int b = xOff; b < xOff + n; b += QK) {
            float amax = 0;
            for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[b + j]));
            float d = amax / 127;
            // The inverse comes from the unrounded d, as in ggml; only the stored d is rounded to f16.
            float id = x86 ? (amax != 0 ? 127f / amax : 0f) : (d != 0 ? 1.0f / d : 0.0f);
            GgmlMath.putHalf(dst, o, d);
            for (int j = 0; j < QK; j++) {
                float v = x[b + j] * id;
                dst[o + 2 + j] = (byte) (int) (x86 ? Math.rint(v) : GgmlMath.roundf(v));
            }
            o += GgmlType.Q8_0.typeSize;
        }
    }
}
