package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

/** block_q5_1: fp16 d, fp16 m, then the Q5_0 layout of fifth bits and nibbles; value = q * d + m. */
final class Q5_1Codec extends BlockCodec {
    private static final int QK = 32;

    Q5_1Codec() {
        super(GgmlType.Q5_1);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int y) {
        float d = Fp16.read(src, o);
        float m = Fp16.read(src, o + 2);
        int qh = Raw.u32(src, o + 4);
        for (int j = 0; j < QK / 2; j++) {
            int q = Raw.u8(src, o + 8 + j);
            int xh0 = Q5_0Codec.xh0(qh, j);
            int xh1 = Q5_0Codec.xh1(qh, j);
            int x0 = (q & 0x0F) | xh0;
            int x1 = (q >> 4) | xh1;
            dst[y + j] = x0 * d + m;
            dst[y + j + QK / 2] = x1 * d + m;
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        return LegacyDot.q5(src, offset, x, xOff, n, true);
    }
}
