package dev.loupe.data.dedup;

import java.io.Serializable;
import java.util.Arrays;

/** Open-addressing map from long to non-negative int: millions of line hashes without boxing. */
final class LongIntMap implements Serializable {
    private long[] keys;
    private int[] values; // -1 = empty slot
    private int size;

    LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        Arrays.fill(values, -1);
    }

    int get(long k) {
        int mask = keys.length - 1;
        for (int i = (int) Hashing.mix(k) & mask; ; i = (i + 1) & mask) {
            if (values[i] < 0) return -1;
            if (keys[i] == k) return values[i];
        }
    }

    /** Stores v unless k is present; returns the value now held. */
    int putIfAbsent(long k, int v) {
        if (size * 2 >= keys.length) grow();
        int mask = keys.length - 1;
        for (int i = (int) Hashing.mix(k) & mask; ; i = (i + 1) & mask) {
            if (values[i] < 0) {
                keys[i] = k;
                values[i] = v;
                size++;
                return v;
            }
            if (keys[i] == k) return values[i];
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] ok = keys;
        int[] ov = values;
        keys = new long[ok.length * 2];
        values = new int[ok.length * 2];
        Arrays.fill(values, -1);
        size = 0;
        for (int i = 0; i < ok.length; i++) if (ov[i] >= 0) putIfAbsent(ok[i], ov[i]);
    }
}
