package dev.loupe.core.tensor.act;

import java.lang.foreign.MemorySegment;

/** The dot product of {@code n} weights starting at byte {@code byteOffset} with a converted activation vector. */
@FunctionalInterface
public interface ActivationDot {
    /**
     * Σ weight(i)·a(elementOffset + i) for i in [0, n), computed as llama.cpp's CPU vec_dot for the weight type
     * against {@code a}'s vec_dot_type. {@code n} and {@code elementOffset} are whole blocks.
     */
    float dot(MemorySegment w, long byteOffset, QuantizedVector a, int elementOffset, int n);

    /**
     * The dots of one weight row with {@code rows} activation vectors, the b-th at element
     * {@code elementOffset + b * n}, written to {@code out[outOff + b * outStride]}: a batch against one weight row.
     * Equal to {@link #dot} row by row, bit for bit; a type may override it to decode its weights once for all rows.
     */
    default void dotRows(MemorySegment w, long byteOffset, QuantizedVector a, int elementOffset, int rows, int n,
                         float[] out, int outOff, int outStride) {
        for (int b = 0; b < rows; b++) out[outOff + b * outStride] = dot(w, byteOffset, a, elementOffset + b * n, n);
    }
}
