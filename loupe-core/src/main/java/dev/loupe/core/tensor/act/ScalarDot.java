package dev.loupe.core.tensor.act;

import java.lang.foreign.MemorySegment;

/**
 * The reference integer dot for any {@link BlockFormat}: ggml's generic vec_dot in integer arithmetic — an
 * exact int sum per block (the AVX2 kernels too sum a whole block or super-block in int32 before touching
 * floats) — then the block's float factors, accumulated in block order. Every Q8 activation product fits an
 * int: at most 256 · 127 · 32 · 128 < 2^31.
 */
record ScalarDot(BlockFormat f) implements ActivationDot {

    @Override
    public float dot(MemorySegment w, long byteOffset, QuantizedVector a, int elementOffset, int n) {
        int qk = f.type.blockSize;
        int groups = qk / f.group;
        float sum = 0;
        for (int blk = 0; blk < n / qk; blk++) {
            long b = byteOffset + (long) blk * f.type.typeSize;
            int e = elementOffset + blk * qk;
            int ab = e / qk; // the activation block: Q8_0/Q8_1 blocks are 32 and Q8_K 256, like the weights'
            int isum = 0;
            int minSum = 0;
            for (int g = 0; g < groups; g++) {
                int gs = 0;
                for (int i = g * f.group; i < (g + 1) * f.group; i++) gs += f.q(w, b, i) * a.qs[e + i];
                isum += f.scale(w, b, g) * gs;
                if (f.combine == BlockFormat.Combine.K) minSum += f.min(w, b, g) * groupSum(a, e + g * f.group, f.group);
            }
            float da = a.d[ab];
            switch (f.combine) {
                case SCALED -> sum += (f.d(w, b) * da) * isum;
                case SCALED_PLUS_MIN -> sum += (f.d(w, b) * da) * isum + f.m(w, b) * a.s[ab];
                case K -> sum += (f.d(w, b) * da) * isum - (f.m(w, b) * da) * minSum;
            }
        }
        return sum;
    }

    /** Σ a(i) over a group of 16 or 32 quants, from Q8_K's bsums as ggml reads them. */
    static int groupSum(QuantizedVector a, int e, int len) {
        int s = 0;
        for (int j = e / 16; j < (e + len) / 16; j++) s += a.bsums[j];
        return s;
    }
}
