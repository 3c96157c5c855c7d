package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The fast dots of the 32-value formats that share a nibble layout: Q4_0/Q4_1 and Q5_0/Q5_1 (the
 * latter with a word of fifth bits). The "_1" variants add a min instead of centring the quant; the
 * flag is loop-invariant, so the branch costs nothing measurable. (The scalar references stay one
 * per type, each mirroring its own ggml function.)
 */
final class LegacyDot {
    private static final int QK = 32;

    private LegacyDot() {}

    /** Q4_0 ({@code affine} false: (q - 8) * d) or Q4_1 (true: q * d + m). */
    static float q4(MemorySegment src, long offset, float[] x, int xOff, int n, boolean affine) {
        int blockBytes = affine ? 20 : 18;
        int qs = affine ? 4 : 2;
        byte bias = (byte) (affine ? 0 : 8);
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * blockBytes;
            int xi = xOff + i * QK;
            float d = Fp16.read(src, o);
            float m = affine ? Fp16.read(src, o + 2) : 0;
            for (int c = 0; c < QK / 2; c += Lanes.C) {
                ByteVector q = ByteVector.fromMemorySegment(Lanes.B, src, o + qs + c, ByteOrder.LITTLE_ENDIAN);
                ByteVector x0 = q.and((byte) 0x0F).sub(bias);
                ByteVector x1 = q.lanewise(VectorOperators.LSHR, 4).sub(bias);
                for (int p = 0; p < Lanes.P; p++) {
                    int e = xi + c + p * Lanes.L;
                    FloatVector w0 = ((FloatVector) x0.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d);
                    FloatVector w1 = ((FloatVector) x1.convertShape(VectorOperators.B2F, Lanes.F, p)).mul(d);
                    if (affine) {
                        w0 = w0.add(m);
                        w1 = w1.add(m);
                    }
                    acc = w0.fma(FloatVector.fromArray(Lanes.F, x, e), acc);
                    acc = w1.fma(FloatVector.fromArray(Lanes.F, x, e + QK / 2), acc);
                }
            }
        }
        float sum = 0;
        for (int l = 0; l < Lanes.L; l++) sum += acc.lane(l);
        return sum;
    }

    /** Q5_0 ({@code affine} false: (q - 16) * d) or Q5_1 (true: q * d + m). */
    static float q5(MemorySegment src, long offset, float[] x, int xOff, int n, boolean affine) {
        int blockBytes = affine ? 24 : 22;
        int qhOff = affine ? 4 : 2;
        int bias = affine ? 0 : 16;
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int i = 0; i < n / QK; i++) {
            long o = offset + (long) i * blockBytes;
            int xi = xOff + i * QK;
            float d = Fp16.read(src, o);
            float m = affine ? Fp16.read(src, o + 2) : 0;
            int qh = Raw.u32(src, o + qhOff);
            for (int c = 0; c < QK / 2; c += Lanes.C) {
                ByteVector q = ByteVector.fromMemorySegment(Lanes.B, src, o + qhOff + 4 + c, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < Lanes.P; p++) {
                    int j = c + p * Lanes.L;
                    IntVector v = (IntVector) q.convertShape(VectorOperators.B2I, Lanes.I, p);
                    // Lane l gets bit j+l (j+16+l) of qh at 0x10: the fifth bit of value j+l (j+16+l).
                    IntVector h0 = IntVector.broadcast(Lanes.I, (qh >>> j) << 4).lanewise(VectorOperators.LSHR, Lanes.IOTA).and(0x10);
                    IntVector h1 = IntVector.broadcast(Lanes.I, (qh >>> (j + 16)) << 4).lanewise(VectorOperators.LSHR, Lanes.IOTA).and(0x10);
                    IntVector x0 = v.and(0x0F).or(h0).sub(bias);
                    IntVector x1 = v.lanewise(VectorOperators.LSHR, 4).and(0x0F).or(h1).sub(bias);
                    FloatVector w0 = ((FloatVector) x0.convert(VectorOperators.I2F, 0)).mul(d);
                    FloatVector w1 = ((FloatVector) x1.convert(VectorOperators.I2F, 0)).mul(d);
                    if (affine) {
                        w0 = w0.add(m);
                        w1 = w1.add(m);
                    }
                    acc = w0.fma(FloatVector.fromArray(Lanes.F, x, xi + j), acc);
                    acc = w1.fma(FloatVector.fromArray(Lanes.F, x, xi + j + QK / 2), acc);
                }
            }
        }
        float sum = 0;
        for (int l = 0; l < Lanes.L; l++) sum += acc.lane(l);
        return sum;
    }
}
