package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * block_q5_K: the Q4_K layout plus 32 bytes of fifth bits between scales and nibbles: bit 2k of
 * qh[l] extends value l of sub-block 2k, bit 2k+1 value l of sub-block 2k+1.
 */
final class Q5_KCodec implements Codec {
    private static final int QK = 256;
    private static final int BYTES = 176;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            int y = dstOff + i * QK;
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
                    ByteVector q = ByteVector.fromMemorySegment(Lanes.B, src, o + 48 + 32 * k + c, ByteOrder.LITTLE_ENDIAN);
                    ByteVector h = ByteVector.fromMemorySegment(Lanes.B, src, o + 16 + c, ByteOrder.LITTLE_ENDIAN);
                    // Bit 2k (2k+1) of qh moved to 0x10; OR equals ggml's "+16" as a nibble is < 16.
                    ByteVector lo = q.and((byte) 0x0F).or(h.lanewise(VectorOperators.LSHR, 2 * k).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2 * k + 1).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
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
