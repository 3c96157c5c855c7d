package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

/**
 * How one ggml type turns bytes into numbers. Every type has a scalar reference
 * ({@link #dequantize}) written to mirror ggml's block layout, and a fast {@link #dot} that the
 * engine uses in its hot loops; tests hold the fast path to the reference.
 * Offsets are in bytes into {@code src}; {@code n} is a whole number of blocks.
 */
public interface Codec {
    GgmlType type();

    /** Scalar reference: decodes {@code n} values starting at byte {@code offset} into {@code dst[dstOff..]}. */
    void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n);

    /** Sum over i of value(i) * x[xOff + i] for {@code n} values starting at byte {@code offset}. */
    float dot(MemorySegment src, long offset, float[] x, int xOff, int n);

    /**
     * y[yOff + i] += a * value(i) for {@code n} values starting at byte {@code offset}, each a product then a sum (no
     * fused multiply-add): a weighted row added into an accumulator, as attention's P·V does per cached value row.
     * {@code scratch} (at least n floats) is for a codec that decodes first; the float types read in place.
     */
    default void accumulate(MemorySegment src, long offset, float a, float[] y, int yOff, int n, float[] scratch) {
        dequantize(src, offset, scratch, 0, n);
        for (int i = 0; i < n; i++) y[yOff + i] += a * scratch[i];
    }

    /**
     * {@link #dot} of the same {@code n} values with {@code rows} inputs, input b at {@code x[xOff + b * xStride..]},
     * its result to {@code out[outOff + b * outStride]}: a batch against one weight row. A codec may decode the
     * values once for all rows; each result must equal {@link #dot}'s bit for bit.
     */
    default void dotRows(MemorySegment src, long offset, float[] x, int xOff, int xStride, int rows, int n,
                         float[] out, int outOff, int outStride) {
        for (int b = 0; b < rows; b++) out[outOff + b * outStride] = dot(src, offset, x, xOff + b * xStride, n);
    }
}
