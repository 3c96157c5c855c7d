package dev.loupe.core.gguf;

import dev.loupe.core.tensor.GgmlType;

import java.util.Arrays;

/**
 * A tensor's entry in the GGUF table. {@code shape} is in ggml order: shape[0] is the contiguous
 * (row) dimension, so a weight of shape [in, out] holds {@code out} rows of {@code in} values.
 * {@code offset} is relative to the start of the data section.
 */
public record TensorInfo(String name, long[] shape, GgmlType type, long offset) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public long byteSize() {
        return elementCount() / type.blockSize * type.typeSize;
    }

    /** Length of the contiguous dimension. */
    public long rowLength() {
        return shape[0];
    }

    public long rows() {
        return elementCount() / shape[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && Arrays.equals(t.shape, shape)
                && t.type == type && t.offset == offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + " " + type;
    }
}
