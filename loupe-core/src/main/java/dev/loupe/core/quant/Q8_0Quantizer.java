package dev.loupe.core.quant;

import dev.loupe.core.tensor.GgmlType;

/** {@code quantize_row_q8_0_ref}: per 32 values, d = absmax/127 and q = roundf(x/d). Block: d (f16), 32 x int8. */
final class Q8_0Quantizer implements RowQuantizer {
    private static final int QK = 32;

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
            float id = d != 0 ? 1.0f / d : 0.0f;
            GgmlMath.putHalf(dst, o, d);
            for (int j = 0; j < QK; j++) dst[o + 2 + j] = (byte) (int) GgmlMath.roundf(x[b + j] * id);
            o += GgmlType.Q8_0.typeSize;
        }
    }
}
