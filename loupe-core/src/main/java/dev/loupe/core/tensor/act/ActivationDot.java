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

    /** Inputs per {@link #dotRows} call in the default {@link #dotTile}: a type that decodes its weights (F16) does so once per group. */
    int TILE_INPUT_GROUP = 8;

    /**
     * A tile of a matrix product: the dots of {@code rows} weight rows ({@code rowBytes} apart from {@code byteOffset})
     * with {@code inputs} activation vectors (the b-th at element {@code elementOffset + b * n}); row r against input b
     * goes to {@code out[outOff + b * outStride + r]}. Equal to {@link #dot} for every pair, bit for bit; a type may
     * override it to unpack each weight row once for all the inputs. By default, inputs in groups of
     * {@link #TILE_INPUT_GROUP} against each row, so a group's inputs stay in L1 while the tile's rows pass.
     */
    default void dotTile(MemorySegment w, long byteOffset, long rowBytes, int rows, QuantizedVector a, int elementOffset,
                         int inputs, int n, float[] out, int outOff, int outStride) {
        for (int b0 = 0; b0 < inputs; b0 += TILE_INPUT_GROUP) {
            int g = Math.min(TILE_INPUT_GROUP, inputs - b0);
            for (int r = 0; r < rows; r++) {
                dotRows(w, byteOffset + r * rowBytes, a, elementOffset + b0 * n, g, n, out, outOff + b0 * outStride + r, outStride);
            }
        }
    }
}
