package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

/** block_q4_0: fp16 d, 16 bytes of nibbles; value j is (low nibble of qs[j] - 8) * d, value j+16 the high nibble. */
final class Q4_0Codec extends BlockCodec {
    private static final int QK = 32;

    Q4_0Codec() {
        super(GgmlType.Q4_0);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int y) {
        float d = Fp16.read(src, o);
        for (int j = 0; j < QK / 2; j++) {
            int q = Raw.u8(src, o + 2 + j);
            int x0 = (q & 0x0F) - 8;
            int x1 = (q >> 4) - 8;
            dst[y + j] = x0 * d;
            dst[y + j + QK / 2] = x1 * d;
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        return LegacyDot.q4(src, offset, x, xOff, n, false);
    }
}
