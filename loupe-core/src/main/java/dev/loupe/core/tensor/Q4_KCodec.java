package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * block_q4_K: fp16 d, fp16 dmin, 12 bytes of 6-bit scales/mins ({@link KScales}), 128 bytes of
 * nibbles. Each 64 values take 32 bytes: low nibbles are sub-block 2k, high nibbles sub-block 2k+1;
 * value = d*scale * q - dmin*min.
 */
final class Q4_KCodec implements Codec {
    private static final int QK = 256;
    private static final int BYTES = 144;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            int y = dstOff + i * QK;
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
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            float d = Fp16.read(src, o);
            float min = Fp16.read(src, o + 2);
            for (int k = 0; k < 4; k++) {
                float d1 = d * KScales.scale(src, o + 4, 2 * k);
                float m1 = min * KScales.min(src, o + 4, 2 * k);
                float d2 = d * KScales.scale(src, o + 4, 2 * k + 1);
                float m2 = min * KScales.min(src, o + 4, 2 * k + 1);
                int xi = xOff + i * QK + 64 * k;
                for (int c = 0; c < 32; c += Lanes.C) {
                    ByteVector q = ByteVector.fromMemorySegment(Lanes.B, src, o + 16 + 32 * k + c, ByteOrder.LITTLE_ENDIAN);
                    ByteVector lo = q.and((byte) 0x0F);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
                    for (int p = 0; p < Lanes.P; p++) {
                        int l = xi + c + p * Lanes.L;
                        FloatVector w1 = ((FloatVector) lo.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d1).sub(m1);
                        FloatVector w2 = ((FloatVector) hi.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d2).sub(m2);
                        acc = w1.fma(FloatVector.fromArray(Lanes.F, x, l), acc);
                        acc = w2.fma(FloatVector.fromArray(Lanes.F, x, l + 32), acc);
                    }
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
