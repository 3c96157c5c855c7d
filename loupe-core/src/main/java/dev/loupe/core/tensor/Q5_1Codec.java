package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** block_q5_1: fp16 d, fp16 m, then the Q5_0 layout of fifth bits and nibbles; value = q * d + m. */
final class Q5_1Codec implements Codec {
    private static final int QK = 32;
    private static final int BYTES = 24;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            int y = dstOff + i * QK;
            float d = Fp16.read(src, o);
            float m = Fp16.read(src, o + 2);
            int qh = Raw.u32(src, o + 4);
            for (int j = 0; j < QK / 2; j++) {
                int q = Raw.u8(src, o + 8 + j);
                int xh0 = Q5_0Codec.xh0(qh, j);
                int xh1 = Q5_0Codec.xh1(qh, j);
                int x0 = (q & 0x0F) | xh0;
                int x1 = (q >> 4) | xh1;
                dst[y + j] = x0 * d + m;
                dst[y + j + QK / 2] = x1 * d + m;
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
            float m = Fp16.read(src, o + 2);
            int qh = Raw.u32(src, o + 4);
            for (int c = 0; c < QK / 2; c += Lanes.C) {
                ByteVector q = ByteVector.fromMemorySegment(Lanes.B, src, o + 8 + c, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < Lanes.P; p++) {
                    int j = c + p * Lanes.L;
                    IntVector v = (IntVector) q.convertShape(VectorOperators.B2I, Lanes.I, p);
                    // Lane l gets bit j+l (j+16+l) of qh at 0x10: the fifth bit of value j+l (j+16+l).
                    IntVector h0 = IntVector.broadcast(Lanes.I, (qh >>> j) << 4).lanewise(VectorOperators.LSHR, Lanes.IOTA).and(0x10);
                    IntVector h1 = IntVector.broadcast(Lanes.I, (qh >>> (j + 16)) << 4).lanewise(VectorOperators.LSHR, Lanes.IOTA).and(0x10);
                    IntVector x0 = v.and(0x0F).or(h0);
                    IntVector x1 = v.lanewise(VectorOperators.LSHR, 4).and(0x0F).or(h1);
                    FloatVector w0 = ((FloatVector) x0.convert(VectorOperators.I2F, 0)).mul(d).add(m);
                    FloatVector w1 = ((FloatVector) x1.convert(VectorOperators.I2F, 0)).mul(d).add(m);
                    acc = w0.fma(FloatVector.fromArray(Lanes.F, x, xi + j), acc);
                    acc = w1.fma(FloatVector.fromArray(Lanes.F, x, xi + j + QK / 2), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
