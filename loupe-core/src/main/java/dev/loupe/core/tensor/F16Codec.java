package dev.loupe.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

final class F16Codec implements Codec {
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
            acc = Fp16.lanes(src, offset + 2L * i).fma(Lanes.x(x, xOff + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += Fp16.read(src, offset + 2L * i) * x[xOff + i];
        return sum;
    }
}
