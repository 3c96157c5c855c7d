package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** block_q8_0: fp16 d, then 32 signed bytes; value = q * d. */
final class Q8_0Codec extends BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = 34;

    Q8_0Codec() {
        super(GgmlType.Q8_0);
    }

    @Override
    void dequantizeBlock(MemorySegment src, long o, float[] dst, int y) {
        float d = Fp16.read(src, o);
        for (int j = 0; j < QK; j++) {
            dst[y + j] = Raw.s8(src, o + 2 + j) * d;
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * BYTES;
            int xi = xOff + i * QK;
            float d = Fp16.read(src, o);
            for (int c = 0; c < QK; c += Lanes.C) {
                ByteVector q = ByteVector.fromMemorySegment(Lanes.B, src, o + 2 + c, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < Lanes.P; p++) {
                    FloatVector w = ((FloatVector) q.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d);
                    acc = w.fma(FloatVector.fromArray(Lanes.F, x, xi + c + p * Lanes.L), acc);
                }
            }
        }
        float sum = 0;
        for (int l = 0; l < Lanes.L; l++) sum += acc.lane(l);
        return sum;
    }
}
