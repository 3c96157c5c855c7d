package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

/**
 * block_q4_K: fp16 d, fp16 dmin, 12 bytes of 6-bit scales/mins ({@link KScales}), 128 bytes of
 * nibbles. Each 64 values take 32 bytes: low nibbles are sub-block 2k, high nibbles sub-block 2k+1;
 * value = d*scale * q - dmin*min.
 */
final class Q4_KCodec extends BlockCodec {
    private static final int QK = 256;

    Q4_KCodec() {
        super(GgmlType.Q4_K);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int y) {
        float d = Fp16.read(src, o);
        float min = Fp16.read(src, o + 2);
        long q = o + 16;
        int is = 0;
        for (int j = 0; j < QK; j += 64) {
            float d1 = d * KScales.scale(src, o + 4, is);
            float m1 = min * KScales.min(src, o + 4, is);
            float d2 = d * KScales.scale(src, o + 4, is + 1);
            float m2 = min * KScales.min(src, o + 4, is + 1);
            for (int l = 0; l < 32; l++) dst[y++] = d1 * (Raw.u8(src, q + l) & 0xF) - m1;
            for (int l = 0; l < 32; l++) dst[y++] = d2 * (Raw.u8(src, q + l) >> 4) - m2;
            q += 32;
            is += 2;
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        return KDot.q4q5(src, offset, x, xOff, n, false);
    }
}
