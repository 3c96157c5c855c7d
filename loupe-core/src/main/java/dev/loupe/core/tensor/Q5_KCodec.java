package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

/**
 * block_q5_K: the Q4_K layout plus 32 bytes of fifth bits between scales and nibbles: bit 2k of
 * qh[l] extends value l of sub-block 2k, bit 2k+1 value l of sub-block 2k+1.
 */
final class Q5_KCodec extends BlockCodec {
    private static final int QK = 256;

    Q5_KCodec() {
        super(GgmlType.Q5_K);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int y) {
        long ql = o + 48;
        long qh = o + 16;
        float d = Fp16.read(src, o);
        float min = Fp16.read(src, o + 2);
        int is = 0;
        int u1 = 1;
        int u2 = 2;
        for (int j = 0; j < QK; j += 64) {
            float d1 = d * KScales.scale(src, o + 4, is);
            float m1 = min * KScales.min(src, o + 4, is);
            float d2 = d * KScales.scale(src, o + 4, is + 1);
            float m2 = min * KScales.min(src, o + 4, is + 1);
            for (int l = 0; l < 32; l++) {
                dst[y++] = d1 * ((Raw.u8(src, ql + l) & 0xF) + ((Raw.u8(src, qh + l) & u1) != 0 ? 16 : 0)) - m1;
            }
            for (int l = 0; l < 32; l++) {
                dst[y++] = d2 * ((Raw.u8(src, ql + l) >> 4) + ((Raw.u8(src, qh + l) & u2) != 0 ? 16 : 0)) - m2;
            }
            ql += 32;
            is += 2;
            u1 <<= 2;
            u2 <<= 2;
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        return KDot.q4q5(src, offset, x, xOff, n, true);
    }
}
