package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** block_q4_1: fp16 d, fp16 m, 16 bytes of nibbles; value = q * d + m, nibble order as in Q4_0. */
final class Q4_1Codec implements Codec {
    private static final int QK = 32;
    private static final int BYTES = 20;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            int y = dstOff + i * QK;
            float d = Fp16.read(src, o);
            float m = Fp16.read(src, o + 2);
            for (int j = 0; j < QK / 2; j++) {
                int q = Raw.u8(src, o + 4 + j);
                int x0 = q & 0x0F;
                int x1 = q >> 4;
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
            for (int c = 0; c < QK / 2; c += Lanes.C) {
                ByteVector q = ByteVector.fromMemorySegment(Lanes.B, src, o + 4 + c, ByteOrder.LITTLE_ENDIAN);
                ByteVector x0 = q.and((byte) 0x0F);
                ByteVector x1 = q.lanewise(VectorOperators.LSHR, 4);
                for (int p = 0; p < Lanes.P; p++) {
                    int e = xi + c + p * Lanes.L;
                    FloatVector w0 = ((FloatVector) x0.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d).add(m);
                    FloatVector w1 = ((FloatVector) x1.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d).add(m);
                    acc = w0.fma(FloatVector.fromArray(Lanes.F, x, e), acc);
                    acc = w1.fma(FloatVector.fromArray(Lanes.F, x, e + QK / 2), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
