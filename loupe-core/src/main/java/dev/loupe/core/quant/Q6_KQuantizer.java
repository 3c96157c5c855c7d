package dev.loupe.core.quant;

import dev.loupe.core.tensor.GgmlType;

/**
 * Q6_K ({@code quantize_row_q6_K_ref}): sixteen groups of 16 per super-block, each fit symmetrically with
 * {@link KQuants#makeQxQuants}, scales stored as int8 multiples of one f16 d, levels re-derived from them.
 *
 * <p>Block: ql[128] (low nibbles), qh[64] (top two bits), scales[16] (int8), d (f16).
 */
final class Q6_KQuantizer implements RowQuantizer {
    private static final int QK_K = 256;
    private static final int GROUPS = QK_K / 16;

    private final int[] levels = new int[QK_K];
    private final float[] scales = new float[GROUPS];

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        int o = dstOff;
        for (int b = xOff; b < xOff + n; b += QK_K) {
            quantizeBlock(x, b, dst, o);
            o += GgmlType.Q6_K.typeSize;
        }
    }

    private void quantizeBlock(float[] x, int b, byte[] dst, int o) {
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < GROUPS; ++ib) {
            float scale = KQuants.makeQxQuants(16, 32, x, b + 16 * ib, levels, 16 * ib, 1);
            scales[ib] = scale;
            float abs = Math.abs(scale);
            if (abs > maxAbsScale) {
                maxAbsScale = abs;
                maxScale = scale;
            }
        }
        int scalesAt = o + 128 + 64;
        int dAt = scalesAt + 16;
        if (maxAbsScale < KQuants.GROUP_MAX_EPS) {
            java.util.Arrays.fill(dst, o, o + GgmlType.Q6_K.typeSize, (byte) 0);
            return;
        }
        float iscale = -128.f / maxScale;
        GgmlMath.putHalf(dst, dAt, 1 / iscale);
        float d = GgmlMath.halfRounded(1 / iscale);
        for (int ib = 0; ib < GROUPS; ++ib) {
            byte s = (byte) Math.min(127, GgmlMath.nearestInt(iscale * scales[ib]));
            dst[scalesAt + ib] = s;
            float dj = d * s;
            if (dj == 0) continue; // ggml keeps the levels of the group fit here
            for (int ii = 0; ii < 16; ++ii) {
                int l = GgmlMath.nearestInt(x[b + 16 * ib + ii] / dj);
                levels[16 * ib + ii] = Math.max(-32, Math.min(31, l)) + 32;
            }
        }
        // Per 128 values: ql holds the low nibbles of values l, l+32 (low/high nibble of byte l) and l+64, l+96
        // (byte l+32); qh byte l holds the top two bits of all four.
        int ql = o, qh = o + 128;
        for (int j = 0; j < QK_K; j += 128) {
            for (int l = 0; l < 32; ++l) {
                int q1 = levels[j + l], q2 = levels[j + l + 32], q3 = levels[j + l + 64], q4 = levels[j + l + 96];
                dst[ql + l] = (byte) ((q1 & 0xF) | ((q3 & 0xF) << 4));
                dst[ql + l + 32] = (byte) ((q2 & 0xF) | ((q4 & 0xF) << 4));
                dst[qh + l] = (byte) ((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
            }
            ql += 64;
            qh += 32;
        }
    }
}
