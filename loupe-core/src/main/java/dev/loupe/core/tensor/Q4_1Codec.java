package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

/** block_q4_1: fp16 d, fp16 m, 16 bytes of nibbles; value = q * d + m, nibble order as in Q4_0. */
final class Q4_1Codec extends BlockCodec {
    private static final int QK = 32;

    Q4_1Codec() {
        super(GgmlType.Q4_1);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int y) {
        float d = Fp16.read(src, o);
        float m = Fp16.read(src, o + 2);
        for (int j = 0; j < QK / 2; j++) {
            int q = Raw.u8(src, o + 4 + j);
            int x0 = q & 0x0F;
            int x1 = q >> 4;
            dst[y + j] = x0 * d + m;
            dst[y + j + QK / 2] = x1 * d + m;
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        return LegacyDot.q4(src, offset, x, xOff, n, true);
    }
}
