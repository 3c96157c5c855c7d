package dev.loupe.core.quant;

import dev.loupe.core.tensor.GgmlType;

/**
 * Q4_K and Q5_K ({@code quantize_row_q4_K_ref}, {@code quantize_row_q5_K_ref}). Both cut a 256-value super-block
 * into eight groups of 32, fit each group as scale * L - min ({@link KQuants#makeQkx2Quants}), store the eight
 * scales and mins as 6-bit multiples of two f16 super-scales, and re-derive the levels from the stored
 * scales. They differ in the level range (15 or 31), the search grid, and whether a fifth bit goes to qh.
 *
 * <p>Block: d (f16), dmin (f16), scales[12] (6-bit scales and mins, packed), [qh[32] for Q5_K], qs[128].
 */
final class ScaleMinQuantizer implements RowQuantizer {
    private static final int QK_K = 256;
    private static final int GROUPS = QK_K / 32;

    private final GgmlType type;
    private final int nmax;
    private final float rmin;
    private final int nstep;

    private final int[] levels = new int[QK_K];
    private final int[] laux = new int[32];
    private final float[] weights = new float[32];
    private final float[] scales = new float[GROUPS];
    private final float[] mins = new float[GROUPS];
    private final int[] ls = new int[GROUPS];
    private final int[] lm = new int[GROUPS];

    private ScaleMinQuantizer(GgmlType type, int nmax, float rmin, int nstep) {
        this.type = type;
        this.nmax = nmax;
        this.rmin = rmin;
        this.nstep = nstep;
    }

    static ScaleMinQuantizer q4_K() { return new ScaleMinQuantizer(GgmlType.Q4_K, 15, -1.f, 20); }
    static ScaleMinQuantizer q5_K() { return new ScaleMinQuantizer(GgmlType.Q5_K, 31, -0.5f, 15); }

    @Override
    public GgmlType type() {
        return type;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        int o = dstOff;
        for (int b = xOff; b < xOff + n; b += QK_K) {
            quantizeBlock(x, b, dst, o);
            o += type.typeSize;
        }
    }

    private void quantizeBlock(float[] x, int b, byte[] dst, int o) {
        float maxScale = 0; // as the min is subtracted, scales are never negative
        float maxMin = 0;
        for (int j = 0; j < GROUPS; ++j) {
            int g = b + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; ++l) sumX2 += x[g + l] * x[g + l];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; ++l) weights[l] = avX + Math.abs(x[g + l]);
            scales[j] = KQuants.makeQkx2Quants(32, nmax, x, g, weights, levels, 32 * j, mins, j, laux, rmin, 0.1f, nstep, false);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }

        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        for (int j = 0; j < GROUPS; ++j) {
            // (uint8_t) nearest_int(...), then MIN(63, ...)
            ls[j] = Math.min(63, GgmlMath.nearestInt(invScale * scales[j]) & 0xFF);
            lm[j] = Math.min(63, GgmlMath.nearestInt(invMin * mins[j]) & 0xFF);
        }
        GgmlMath.putHalf(dst, o, maxScale / 63.f);
        GgmlMath.putHalf(dst, o + 2, maxMin / 63.f);
        ScalePacking.pack(ls, lm, dst, o + 4);

        float d = GgmlMath.halfRounded(maxScale / 63.f);
        float dmin = GgmlMath.halfRounded(maxMin / 63.f);
        for (int j = 0; j < GROUPS; ++j) {
            float dj = d * ls[j];
            if (dj == 0) continue; // ggml keeps the levels of the group fit here
            float dm = dmin * lm[j];
            for (int ii = 0; ii < 32; ++ii) {
                int l = GgmlMath.nearestInt((x[b + 32 * j + ii] + dm) / dj);
                levels[32 * j + ii] = Math.max(0, Math.min(nmax, l));
            }
        }

        int q = o + 4 + 12;
        if (nmax == 31) q = packHighBits(dst, q);
        // Each 32-byte run of qs holds groups 2k (low nibbles) and 2k+1 (high nibbles).
        for (int j = 0; j < QK_K; j += 64) {
            for (int l = 0; l < 32; ++l) dst[q + l] = (byte) ((levels[j + l] & 0xF) | ((levels[j + l + 32] & 0xF) << 4));
            q += 32;
        }
    }

    /** Q5_K: bit 4 of each level goes to qh, two bits per 64-value run; returns where qs starts. */
    private int packHighBits(byte[] dst, int qh) {
        for (int j = 0; j < 32; ++j) {
            int bitsOf = 0;
            for (int run = 0; run < 4; run++) {
                bitsOf |= ((levels[64 * run + j] >>> 4) & 1) << (2 * run);
                bitsOf |= ((levels[64 * run + j + 32] >>> 4) & 1) << (2 * run + 1);
            }
            dst[qh + j] = (byte) bitsOf;
        }
        return qh + 32;
    }
}
