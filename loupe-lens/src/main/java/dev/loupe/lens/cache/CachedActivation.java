package dev.loupe.lens.cache;

import java.util.Arrays;

/** One cached activation: a row-major float tensor. */
public record CachedActivation(int[] shape, float[] data) {

    public CachedActivation(int[] shape) {
        this(shape, new float[size(shape)]);
    }

    public CachedActivation {
        if (data.length != size(shape)) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size(shape) + " values, got " + data.length);
    }

    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return Math.toIntExact(n);
    }

    /** Elements per step of the first axis (one position's row, or one head's [q][k] block). */
    public int rowSize() {
        return data.length / shape[0];
    }

    /** A copy of row {@code i} of the first axis. */
    public float[] row(int i) {
        return Arrays.copyOfRange(data, i * rowSize(), (i + 1) * rowSize());
    }
}
