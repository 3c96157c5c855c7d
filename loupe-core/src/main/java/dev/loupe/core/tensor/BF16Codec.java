package dev.loupe.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** bfloat16: the top half of a float32, so widening is a 16-bit shift (ggml_compute_bf16_to_fp32). */
final class BF16Codec implements Codec {
    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** ggml_compute_fp32_to_bf16: round to nearest even; a NaN is truncated and forced quiet. */
    static short fromFloat(float v) {
        int u = Float.floatToRawIntBits(v);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 64);
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) dst[dstOff + i] = toFloat(src.get(Fp16.LE, offset + 2L * i));
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(Lanes.F);
        int i = 0;
        int upper = Lanes.F.loopBound(n);
        for (; i < upper; i += Lanes.L) {
            // Sign extension by S2I is harmless: the high 16 bits are shifted out.
            FloatVector w = ((IntVector) ShortVector.fromMemorySegment(F16Codec.S, src, offset + 2L * i, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, Lanes.I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            acc = w.fma(FloatVector.fromArray(Lanes.F, x, xOff + i), acc);
        }
        float sum = 0;
        for (int l = 0; l < Lanes.L; l++) sum += acc.lane(l);
        for (; i < n; i++) sum += toFloat(src.get(Fp16.LE, offset + 2L * i)) * x[xOff + i];
        return sum;
    }
}
