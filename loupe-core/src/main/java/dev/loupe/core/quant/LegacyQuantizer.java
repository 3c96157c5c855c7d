package dev.loupe.core.quant;

import dev.loupe.core.tensor.GgmlType;

/**
 * The 32-value, 4- and 5-bit formats ({@code quantize_row_q4_0_ref}, {@code q4_1}, {@code q5_0}, {@code q5_1}).
 * They differ only in the bit width and in whether the block stores a minimum (the "_1" types) or centres
 * on zero (the "_0" types), so one class covers them, parameterized by those two facts.
 *
 * <p>Block layout: d (f16), [m (f16) for _1], [qh (4 bytes: bit 4 of each code) for 5 bits],
 * qs (16 bytes: code j in the low nibble of byte j, code j+16 in the high nibble).
 */
final class LegacyQuantizer implements RowQuantizer {
    private static final int QK = 32;

    private final GgmlType type;
    private final int bits;
    private final boolean affine;
    private final int[] codes = new int[QK];

    private LegacyQuantizer(GgmlType type, int bits, boolean affine) {
        this.type = type;
        this.bits = bits;
        this.affine = affine;
    }

    static LegacyQuantizer q4_0() { return new LegacyQuantizer(GgmlType.Q4_0, 4, false); }
    static LegacyQuantizer q4_1() { return new LegacyQuantizer(GgmlType.Q4_1, 4, true); }
    static LegacyQuantizer q5_0() { return new LegacyQuantizer(GgmlType.Q5_0, 5, false); }
    static LegacyQuantizer q5_1() { return new LegacyQuantizer(GgmlType.Q5_1, 5, true); }

    @Override
    public GgmlType type() {
        return type;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        int o = dstOff;
        for (int b = xOff; b < xOff + n; b += QK) {
            int p = affine ? affineCodes(x, b, dst, o) : symmetricCodes(x, b, dst, o);
            if (bits == 5) {
                int qh = 0;
                for (int j = 0; j < QK; j++) qh |= ((codes[j] >>> 4) & 1) << j;
                for (int k = 0; k < 4; k++) dst[p + k] = (byte) (qh >>> (8 * k));
                p += 4;
            }
            for (int j = 0; j < QK / 2; j++) dst[p + j] = (byte) ((codes[j] & 0xF) | ((codes[j + QK / 2] & 0xF) << 4));
            o += type.typeSize;
        }
    }

    /** The _0 types: d = (the value of largest magnitude) / -2^(bits-1), codes offset by 2^(bits-1). Returns the write position. */
    private int symmetricCodes(float[] x, int b, byte[] dst, int o) {
        int half = 1 << (bits - 1);
        float amax = 0, max = 0;
        for (int j = 0; j < QK; j++) {
            float v = x[b + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -half;
        float id = d != 0 ? 1.0f / d : 0.0f;
        GgmlMath.putHalf(dst, o, d);
        float offset = half + 0.5f;
        int top = (1 << bits) - 1;
        for (int j = 0; j < QK; j++) codes[j] = Math.min(top, (byte) GgmlMath.truncate(x[b + j] * id + offset));
        return o + 2;
    }

    /** The _1 types: d = (max - min) / (2^bits - 1), codes count up from min. Returns the write position. */
    private int affineCodes(float[] x, int b, byte[] dst, int o) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int j = 0; j < QK; j++) {
            float v = x[b + j];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        int top = (1 << bits) - 1;
        float d = (max - min) / top;
        float id = d != 0 ? 1.0f / d : 0.0f;
        GgmlMath.putHalf(dst, o, d);
        GgmlMath.putHalf(dst, o + 2, min);
        for (int j = 0; j < QK; j++) {
            int c = GgmlMath.truncate((x[b + j] - min) * id + 0.5f);
            // q4_1 clamps with MIN(15, (int8_t)...); q5_1 only casts to uint8_t.
            codes[j] = bits == 4 ? Math.min(top, (byte) c) : c & 0xFF;
        }
        return o + 4;
    }
}
