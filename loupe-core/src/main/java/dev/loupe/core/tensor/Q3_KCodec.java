package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * block_q3_K: 32 bytes of high bits (hmask), 64 bytes of 2-bit quants, 12 bytes of sixteen 6-bit
 * scales, fp16 d. The quant layout is Q2_K's; bit (4*half + j) of hmask[l] (l over the 32 values of
 * a 16+16 pair of groups) being clear subtracts 4. value = d * (scale - 32) * q.
 */
final class Q3_KCodec extends BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = 110;
    private static final int KMASK1 = 0x03030303;
    private static final int KMASK2 = 0x0f0f0f0f;

    Q3_KCodec() {
        super(GgmlType.Q3_K);
    }

    /**
     * Scales 0..7 as ggml's aux[0], aux[1] after its in-place shuffle of the 12 scale bytes at
     * {@code s}; each byte is one 6-bit scale, still biased by 32.
     */
    static long scalesLow(MemorySegment src, long s) {
        int a0 = Raw.u32(src, s);
        int a1 = Raw.u32(src, s + 4);
        int tmp = Raw.u32(src, s + 8);
        int r0 = (a0 & KMASK2) | (((tmp >>> 0) & KMASK1) << 4);
        int r1 = (a1 & KMASK2) | (((tmp >>> 2) & KMASK1) << 4);
        return (r0 & 0xFFFFFFFFL) | ((long) r1 << 32);
    }

    /** Scales 8..15: ggml's aux[2], aux[3]. */
    static long scalesHigh(MemorySegment src, long s) {
        int a0 = Raw.u32(src, s);
        int a1 = Raw.u32(src, s + 4);
        int tmp = Raw.u32(src, s + 8);
        int r2 = ((a0 >>> 4) & KMASK2) | (((tmp >>> 4) & KMASK1) << 4);
        int r3 = ((a1 >>> 4) & KMASK2) | (((tmp >>> 6) & KMASK1) << 4);
        return (r2 & 0xFFFFFFFFL) | ((long) r3 << 32);
    }

    /** Scale {@code is} read as ggml's {@code (int8_t) scales[is]}. */
    static int scale(long low, long high, int is) {
        return (byte) ((is < 8 ? low : high) >>> (8 * (is & 7)));
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int y) {
        float dAll = Fp16.read(src, o + 108);
        long q = o + 32;
        long hm = o;
        int m = 1;
        long low = scalesLow(src, o + 96);
        long high = scalesHigh(src, o + 96);
        int is = 0;
        for (int h = 0; h < QK; h += 128) {
            int shift = 0;
            for (int j = 0; j < 4; j++) {
                float dl = dAll * (scale(low, high, is++) - 32);
                for (int l = 0; l < 16; l++) {
                    dst[y++] = dl * (((Raw.u8(src, q + l) >> shift) & 3) - ((Raw.u8(src, hm + l) & m) != 0 ? 0 : 4));
                }
                dl = dAll * (scale(low, high, is++) - 32);
                for (int l = 0; l < 16; l++) {
                    dst[y++] = dl * (((Raw.u8(src, q + l + 16) >> shift) & 3) - ((Raw.u8(src, hm + l + 16) & m) != 0 ? 0 : 4));
                }
                shift += 2;
                m <<= 1;
            }
            q += 32;
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            float dAll = Fp16.read(src, o + 108);
            long low = scalesLow(src, o + 96);
            long high = scalesHigh(src, o + 96);
            // Group g's high bits: bit g/2 of hmask bytes 16*(g%2) (ggml: mask m doubles per shift).
            for (int g = 0; g < 16; g++) {
                float dl = dAll * (scale(low, high, g) - 32);
                long q = o + 32 + TwoBitGroups.quantOffset(g);
                long hm = o + 16 * (g & 1);
                int shift = TwoBitGroups.shift(g);
                int bit = g >> 1;
                int xi = xOff + i * QK + 16 * g;
                for (int c = 0; c < 16; c += Lanes.C) {
                    ByteVector v = ByteVector.fromMemorySegment(Lanes.B, src, q + c, ByteOrder.LITTLE_ENDIAN)
                            .lanewise(VectorOperators.LSHR, shift).and((byte) 3);
                    // High bit set: q; clear: q - 4. So OR the bit in at 4 and subtract 4.
                    ByteVector h = ByteVector.fromMemorySegment(Lanes.B, src, hm + c, ByteOrder.LITTLE_ENDIAN)
                            .lanewise(VectorOperators.LSHR, bit).and((byte) 1).lanewise(VectorOperators.LSHL, 2);
                    ByteVector value = v.or(h).sub((byte) 4);
                    for (int p = 0; p < Lanes.P; p++) {
                        FloatVector w = ((FloatVector) value.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(dl);
                        acc = w.fma(FloatVector.fromArray(Lanes.F, x, xi + c + p * Lanes.L), acc);
                    }
                }
            }
        }
        float sum = 0;
        for (int l = 0; l < Lanes.L; l++) sum += acc.lane(l);
        return sum;
    }
}
