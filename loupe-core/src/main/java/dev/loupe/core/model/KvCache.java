package dev.loupe.core.model;

/**
 * Keys and values of every layer for positions [0, capacity). Values are held rounded to F16, the
 * precision llama.cpp's default cache keeps, so attention sees the same numbers.
 */
final class KvCache {
    final int capacity;
    final float[][] keys;
    final float[][] values;

    KvCache(ModelConfig c, int capacity) {
        this.capacity = capacity;
        this.keys = new float[c.layers()][(long) capacity * c.kvDim() > Integer.MAX_VALUE ? fail(capacity) : capacity * c.kvDim()];
        this.values = new float[c.layers()][capacity * c.vDim()];
    }

    private static int fail(int capacity) {
        throw new IllegalArgumentException("context " + capacity + " is too large for one layer's cache");
    }
}
