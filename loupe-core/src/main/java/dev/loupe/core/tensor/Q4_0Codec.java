package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** block_q4_0: fp16 d, 16 bytes of nibbles; value j is (low nibble of qs[j] - 8) * d, value j+16 the high nibble. */
final class Q4_0Codec implements Codec {
    private static final int QK = 32;
    private static final int BYTES = 18;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            int y = dstOff + i * QK;
            float d = Fp16.read(src, o);
            for (int j = 0; j < QK / 2; j++) {
                int q = Raw.u8(src, o + 2 + j);
                int x0 = (q & 0x0F) - 8;
                int x1 = (q >> 4) - 8;
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
            for (int c = 0; c < QK / 2; c += Lanes.C) {
                ByteVector q = ByteVector.fromMemorySegment(Lanes.B, src, o + 2 + c, ByteOrder.LITTLE_ENDIAN);
                ByteVector x0 = q.and((byte) 0x0F).sub((byte) 8);
                ByteVector x1 = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                for (int p = 0; p < Lanes.P; p++) {
                    int e = xi + c + p * Lanes.L;
                    FloatVector w0 = ((FloatVector) x0.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d);
                    FloatVector w1 = ((FloatVector) x1.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d);
                    acc = w0.fma(FloatVector.fromArray(Lanes.F, x, e), acc);
                    acc = w1.fma(FloatVector.fromArray(Lanes.F, x, e + QK / 2), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
