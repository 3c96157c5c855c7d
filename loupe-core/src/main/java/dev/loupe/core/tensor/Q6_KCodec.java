package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * block_q6_K: 128 bytes of low nibbles (ql), 64 bytes of 2-bit high parts (qh), 16 signed 8-bit
 * scales, fp16 d; value = d * scale * (q - 32). Each 128-value half uses 64 ql, 32 qh and 8 scales:
 * value l (0..31) of the four quarters comes from ql[l] low, ql[l+32] low, ql[l] high, ql[l+32]
 * high, with qh[l] bits 0-1, 2-3, 4-5, 6-7, and scale 2q + l/16 of the half.
 */
final class Q6_KCodec extends BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = 210;

    Q6_KCodec() {
        super(GgmlType.Q6_K);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int y) {
        float d = Fp16.read(src, o + 208);
        long ql = o;
        long qh = o + 128;
        long sc = o + 192;
        for (int h = 0; h < QK; h += 128) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int a = Raw.u8(src, ql + l);
                int b = Raw.u8(src, ql + l + 32);
                int hb = Raw.u8(src, qh + l);
                int q1 = (byte) ((a & 0xF) | (((hb >> 0) & 3) << 4)) - 32;
                int q2 = (byte) ((b & 0xF) | (((hb >> 2) & 3) << 4)) - 32;
                int q3 = (byte) ((a >> 4) | (((hb >> 4) & 3) << 4)) - 32;
                int q4 = (byte) ((b >> 4) | (((hb >> 6) & 3) << 4)) - 32;
                dst[y + l] = d * Raw.s8(src, sc + is) * q1;
                dst[y + l + 32] = d * Raw.s8(src, sc + is + 2) * q2;
                dst[y + l + 64] = d * Raw.s8(src, sc + is + 4) * q3;
                dst[y + l + 96] = d * Raw.s8(src, sc + is + 6) * q4;
            }
            y += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            float d = Fp16.read(src, o + 208);
            for (int h = 0; h < 2; h++) {
                long ql = o + 64 * h;
                long qh = o + 128 + 32 * h;
                long sc = o + 192 + 8 * h;
                int xi = xOff + i * QK + 128 * h;
                // A load of C <= 16 bytes never straddles the 16-value scale groups.
                for (int c = 0; c < 32; c += Lanes.C) {
                    int is = c / 16;
                    float d1 = d * Raw.s8(src, sc + is);
                    float d2 = d * Raw.s8(src, sc + is + 2);
                    float d3 = d * Raw.s8(src, sc + is + 4);
                    float d4 = d * Raw.s8(src, sc + is + 6);
                    ByteVector a = ByteVector.fromMemorySegment(Lanes.B, src, ql + c, ByteOrder.LITTLE_ENDIAN);
                    ByteVector b = ByteVector.fromMemorySegment(Lanes.B, src, ql + 32 + c, ByteOrder.LITTLE_ENDIAN);
                    ByteVector hb = ByteVector.fromMemorySegment(Lanes.B, src, qh + c, ByteOrder.LITTLE_ENDIAN);
                    // 6-bit quants minus 32 fit a signed byte, so B2F widens them exactly.
                    ByteVector q1 = a.and((byte) 0x0F).or(hb.lanewise(VectorOperators.LSHL, 4).and((byte) 0x30)).sub((byte) 32);
                    ByteVector q2 = b.and((byte) 0x0F).or(hb.lanewise(VectorOperators.LSHL, 2).and((byte) 0x30)).sub((byte) 32);
                    ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(hb.and((byte) 0x30)).sub((byte) 32);
                    ByteVector q4 = b.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30)).sub((byte) 32);
                    for (int p = 0; p < Lanes.P; p++) {
                        int l = xi + c + p * Lanes.L;
                        FloatVector w1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d1);
                        FloatVector w2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d2);
                        FloatVector w3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d3);
                        FloatVector w4 = ((FloatVector) q4.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d4);
                        acc = w1.fma(FloatVector.fromArray(Lanes.F, x, l), acc);
                        acc = w2.fma(FloatVector.fromArray(Lanes.F, x, l + 32), acc);
                        acc = w3.fma(FloatVector.fromArray(Lanes.F, x, l + 64), acc);
                        acc = w4.fma(FloatVector.fromArray(Lanes.F, x, l + 96), acc);
                    }
                }
            }
        }
        float sum = 0;
        for (int l = 0; l < Lanes.L; l++) sum += acc.lane(l);
        return sum;
    }
}
