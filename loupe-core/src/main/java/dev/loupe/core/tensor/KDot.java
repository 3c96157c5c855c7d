package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The fast dot shared by Q4_K and Q5_K: the same super-block of eight 32-value sub-blocks with
 * {@link KScales} scales and mins, where Q5_K adds 32 bytes of fifth bits ahead of the nibbles
 * (bit 2k of qh[l] extends value l of sub-block 2k, bit 2k+1 that of sub-block 2k+1).
 */
final class KDot {
    private static final int QK = 256;

    private KDot() {}

    static float q4q5(MemorySegment src, long offset, float[] x, int xOff, int n, boolean fifthBits) {
        int blockBytes = fifthBits ? 176 : 144;
        int qs = fifthBits ? 48 : 16;
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * blockBytes;
            float d = Fp16.read(src, o);
            float min = Fp16.read(src, o + 2);
            for (int k = 0; k < 4; k++) {
                float d1 = d * KScales.scale(src, o + 4, 2 * k);
                float m1 = min * KScales.min(src, o + 4, 2 * k);
                float d2 = d * KScales.scale(src, o + 4, 2 * k + 1);
                float m2 = min * KScales.min(src, o + 4, 2 * k + 1);
                int xi = xOff + i * QK + 64 * k;
                for (int c = 0; c < 32; c += Lanes.C) {
                    ByteVector q = ByteVector.fromMemorySegment(Lanes.B, src, o + qs + 32 * k + c, ByteOrder.LITTLE_ENDIAN);
                    ByteVector lo = q.and((byte) 0x0F);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
                    if (fifthBits) {
                        // The bit moved to 0x10: OR equals ggml's "+16" as a nibble is < 16.
                        ByteVector h = ByteVector.fromMemorySegment(Lanes.B, src, o + 16 + c, ByteOrder.LITTLE_ENDIAN);
                        lo = lo.or(h.lanewise(VectorOperators.LSHR, 2 * k).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                        hi = hi.or(h.lanewise(VectorOperators.LSHR, 2 * k + 1).and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    }
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
        float sum = 0;
        for (int l = 0; l < Lanes.L; l++) sum += acc.lane(l);
        return sum;
    }
}
