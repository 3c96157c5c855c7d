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
}
