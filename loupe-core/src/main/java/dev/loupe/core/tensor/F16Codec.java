package dev.loupe.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

final class F16Codec implements Codec {
    /** As many shorts as there are float lanes. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Lanes.L * 16));

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) dst[dstOff + i] = Fp16.read(src, offset + 2L * i);
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(Lanes.F);
        int i = 0;
        int upper = Lanes.F.loopBound(n);
        for (; i < upper; i += Lanes.L) {
            acc = load(src, offset, i).fma(FloatVector.fromArray(Lanes.F, x, xOff + i), acc);
        }
        return finish(acc, src, offset, x, xOff, i, n);
    }

    @Override
    public void accumulate(MemorySegment src, long offset, float a, float[] y, int yOff, int n, float[] scratch) {
        int i = 0;
        for (int upper = Lanes.F.loopBound(n); i < upper; i += Lanes.L) {
            load(src, offset, i).mul(a).add(FloatVector.fromArray(Lanes.F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += a * Fp16.read(src, offset + 2L * i);
    }

    /** Per pool thread: the weight row converted to floats, reused across calls. */
    private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * The row's halves are converted once (most of {@link #dot}'s work) into a per-thread float buffer that stays in
     * L1, then multiplied into the inputs four at a time (four accumulators per pass, the weight vector loaded once
     * for the four). Every input's sum is formed in exactly {@link #dot}'s order, so the results are bit-identical
     * to it whatever the batch.
     */
    @Override
    public void dotRows(MemorySegment src, long offset, float[] x, int xOff, int xStride, int rows, int n,
                        float[] out, int outOff, int outStride) {
        if (rows < 2) {
            for (int b = 0; b < rows; b++) out[outOff + b * outStride] = dot(src, offset, x, xOff + b * xStride, n);
            return;
        }
        int upper = Lanes.F.loopBound(n);
        float[][] holder = ROW.get();
        if (holder[0].length < upper) holder[0] = new float[upper];
        float[] wf = holder[0];
        for (int i = 0; i < upper; i += Lanes.L) load(src, offset, i).intoArray(wf, i);
        int b = 0;
        for (; b + 4 <= rows; b += 4) {
            int x0 = xOff + b * xStride, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
            FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < upper; i += Lanes.L) {
                FloatVector w = FloatVector.fromArray(Lanes.F, wf, i);
                a0 = w.fma(FloatVector.fromArray(Lanes.F, x, x0 + i), a0);
                a1 = w.fma(FloatVector.fromArray(Lanes.F, x, x1 + i), a1);
                a2 = w.fma(FloatVector.fromArray(Lanes.F, x, x2 + i), a2);
                a3 = w.fma(FloatVector.fromArray(Lanes.F, x, x3 + i), a3);
            }
            int o = outOff + b * outStride;
            out[o] = finish(a0, src, offset, x, x0, upper, n);
            out[o + outStride] = finish(a1, src, offset, x, x1, upper, n);
            out[o + 2 * outStride] = finish(a2, src, offset, x, x2, upper, n);
            out[o + 3 * outStride] = finish(a3, src, offset, x, x3, upper, n);
        }
        for (; b < rows; b++) {
            int x0 = xOff + b * xStride;
            FloatVector a0 = FloatVector.zero(Lanes.F);
            for (int i = 0; i < upper; i += Lanes.L) a0 = FloatVector.fromArray(Lanes.F, wf, i).fma(FloatVector.fromArray(Lanes.F, x, x0 + i), a0);
            out[outOff + b * outStride] = finish(a0, src, offset, x, x0, upper, n);
        }
    }

    /**
     * Halves [i, i + lanes) as floats. The Vector API has no half-to-float lane conversion, so: exponent and
     * mantissa moved into float position and rescaled by 2^112 (exact for normals and subnormals alike: a power of
     * two, and the result is a normal float), Inf/NaN patched in, sign copied. Bit-for-bit Float.float16ToFloat on
     * every non-NaN half; NaNs stay NaN.
     */
    static FloatVector load(MemorySegment src, long offset, int i) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, src, offset + 2L * i, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, Lanes.I, 0);
        IntVector em = h.and(0x7FFF);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        IntVector bits = finite.blend(shifted.or(0x7F800000), em.compare(VectorOperators.GE, 0x7C00))
                .or(h.and(0x80000000)); // S2I sign-extends, so bit 31 already is the half's sign bit
        return bits.reinterpretAsFloats();
    }

    /** The lanes summed in order, then the tail [i, n) one by one. */
    static float finish(FloatVector acc, MemorySegment src, long offset, float[] x, int xOff, int i, int n) {
        float sum = 0;
        for (int l = 0; l < Lanes.L; l++) sum += acc.lane(l);
        for (; i < n; i++) sum += Fp16.read(src, offset + 2L * i) * x[xOff + i];
        return sum;
    }
}
