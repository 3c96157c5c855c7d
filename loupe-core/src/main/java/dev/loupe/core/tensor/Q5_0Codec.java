package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

/**
 * block_q5_0: fp16 d, a 32-bit word of fifth bits (bit j belongs to value j), 16 bytes of nibbles
 * ordered as in Q4_0; value = (q - 16) * d.
 */
final class Q5_0Codec extends BlockCodec {
    private static final int QK = 32;

    /** Fifth bit of value j (of the low half), placed at 0x10. Shared with Q5_1. */
    static int xh0(int qh, int j) {
        return ((qh >>> j) << 4) & 0x10;
    }

    /** Fifth bit of value j + 16. */
    static int xh1(int qh, int j) {
        return (qh >>> (j + 12)) & 0x10;
    }

    Q5_0Codec() {
        super(GgmlType.Q5_0);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int y) {
        float d = Fp16.read(src, o);
        int qh = Raw.u32(src, o + 2);
        for (int j = 0; j < QK / 2; j++) {
            int q = Raw.u8(src, o + 6 + j);
            int xh0 = xh0(qh, j);
            int xh1 = xh1(qh, j);
            int x0 = ((q & 0x0F) | xh0) - 16;
            int x1 = ((q >> 4) | xh1) - 16;
            dst[y + j] = x0 * d;
            dst[y + j + QK / 2] = x1 * d;
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        return LegacyDot.q5(src, offset, x, xOff, n, false);
    }
}
