package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * block_q2_K: 16 scale bytes (low nibble scale, high nibble min), 64 bytes of 2-bit quants, fp16 d,
 * fp16 dmin. Each 128-value half reads 32 quant bytes four times, two bits further each time; the
 * 16 values of a group share one scale byte: value = d*(sc&15) * q - dmin*(sc>>4).
 */
final class Q2_KCodec extends BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = 84;

    Q2_KCodec() {
        super(GgmlType.Q2_K);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int y) {
        float d = Fp16.read(src, o + 80);
        float min = Fp16.read(src, o + 82);
        long q = o + 16;
        int is = 0;
        for (int h = 0; h < QK; h += 128) {
            int shift = 0;
            for (int j = 0; j < 4; j++) {
                int sc = Raw.u8(src, o + is++);
                float dl = d * (sc & 0xF);
                float ml = min * (sc >> 4);
                for (int l = 0; l < 16; l++) dst[y++] = dl * ((Raw.u8(src, q + l) >> shift) & 3) - ml;
                sc = Raw.u8(src, o + is++);
                dl = d * (sc & 0xF);
                ml = min * (sc >> 4);
                for (int l = 0; l < 16; l++) dst[y++] = dl * ((Raw.u8(src, q + l + 16) >> shift) & 3) - ml;
                shift += 2;
            }
            q += 32;
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            float d = Fp16.read(src, o + 80);
            float min = Fp16.read(src, o + 82);
            for (int g = 0; g < 16; g++) {
                int sc = Raw.u8(src, o + g);
                float dl = d * (sc & 0xF);
                float ml = min * (sc >> 4);
                long q = o + 16 + TwoBitGroups.quantOffset(g);
                int shift = TwoBitGroups.shift(g);
                int xi = xOff + i * QK + 16 * g;
                for (int c = 0; c < 16; c += Lanes.C) {
                    ByteVector v = ByteVector.fromMemorySegment(Lanes.B, src, q + c, ByteOrder.LITTLE_ENDIAN)
                            .lanewise(VectorOperators.LSHR, shift).and((byte) 3);
                    for (int p = 0; p < Lanes.P; p++) {
                        FloatVector w = ((FloatVector) v.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(dl).sub(ml);
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
