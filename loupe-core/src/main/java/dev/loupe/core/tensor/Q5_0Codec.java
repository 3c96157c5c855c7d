package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * block_q5_0: fp16 d, a 32-bit word of fifth bits (bit j belongs to value j), 16 bytes of nibbles
 * ordered as in Q4_0; value = (q - 16) * d.
 */
final class Q5_0Codec implements Codec {
    private static final int QK = 32;
    private static final int BYTES = 22;

    /** Fifth bit of value j (of the low half), placed at 0x10. Shared with Q5_1. */
    static int xh0(int qh, int j) {
        return ((qh >>> j) << 4) & 0x10;
    }

    /** Fifth bit of value j + 16. */
    static int xh1(int qh, int j) {
        return (qh >>> (j + 12)) & 0x10;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            int y = dstOff + i * QK;
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
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            int xi = xOff + i * QK;
            float d = Fp16.read(src, o);
            int qh = Raw.u32(src, o + 2);
            for (int c = 0; c < QK / 2; c += Lanes.C) {
                ByteVector q = ByteVector.fromMemorySegment(Lanes.B, src, o + 6 + c, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < Lanes.P; p++) {
                    int j = c + p * Lanes.L;
                    IntVector v = (IntVector) q.convertShape(VectorOperators.B2I, Lanes.I, p);
                    // Lane l gets bit j+l (j+16+l) of qh at 0x10: the fifth bit of value j+l (j+16+l).
                    IntVector h0 = IntVector.broadcast(Lanes.I, (qh >>> j) << 4).lanewise(VectorOperators.LSHR, Lanes.IOTA).and(0x10);
                    IntVector h1 = IntVector.broadcast(Lanes.I, (qh >>> (j + 16)) << 4).lanewise(VectorOperators.LSHR, Lanes.IOTA).and(0x10);
                    IntVector x0 = v.and(0x0F).or(h0).sub(16);
                    IntVector x1 = v.lanewise(VectorOperators.LSHR, 4).and(0x0F).or(h1).sub(16);
                    FloatVector w0 = ((FloatVector) x0.convert(VectorOperators.I2F, 0)).mul(d);
                    FloatVector w1 = ((FloatVector) x1.convert(VectorOperators.I2F, 0)).mul(d);
                    acc = w0.fma(FloatVector.fromArray(Lanes.F, x, xi + j), acc);
                    acc = w1.fma(FloatVector.fromArray(Lanes.F, x, xi + j + QK / 2), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
