package dev.loupe.core.tokenizer;

import dev.loupe.core.gguf.GgufStrings;

import java.nio.charset.StandardCharsets;

/**
 * Content lookup into a {@link GgufStrings} by UTF-8 bytes: an open-addressing table of positions with their
 * hashes (linear probing, at most two-thirds full: a 280k-merge table takes 4 MB instead of the 8 MB a half-full one
 * needed, and probe runs stay short). It replaces a HashMap of 128k-280k decoded strings, which took
 * most of a tokenizer's build time; building this hashes the file's bytes and allocates two int arrays.
 *
 * <p>Every entry is inserted, duplicates too: equal strings hash alike, so they all sit on one probe run, and
 * a lookup walks that run to its end and picks the {@link #lowest} or {@link #highest} position (the first
 * or the last occurrence, as the caller's reference implementation resolves duplicates).
 */
final class StringIndex {
    private final GgufStrings strings;
    /** Position + 1 of the entry in each slot; 0 = empty. */
    private final int[] slots;
    private final int[] hashes;
    private final int mask;

    StringIndex(GgufStrings strings) {
        this.strings = strings;
        int n = strings.size();
        int cap = Integer.highestOneBit(Math.max(4, n + n / 2) - 1) << 1; // the power of two >= 1.5 n
        this.slots = new int[cap];
        this.hashes = new int[cap];
        this.mask = cap - 1;
        byte[] b = strings.bytes();
        for (int i = 0; i < n; i++) {
            int h = hash(b, strings.start(i), strings.length(i));
            int p = h & mask;
            while (slots[p] != 0) p = (p + 1) & mask;
            slots[p] = i + 1;
            hashes[p] = h;
        }
    }

    /** The first position holding {@code key}, or -1. */
    int lowest(String key) {
        return find(key.getBytes(StandardCharsets.UTF_8), false);
    }

    /** The last position holding {@code key}, or -1. */
    int highest(String key) {
        return find(key.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Every position holding {@code key}, in no particular order. */
    void forEach(String key, java.util.function.IntConsumer action) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int h = hash(k, 0, k.length);
        for (int p = h & mask; slots[p] != 0; p = (p + 1) & mask) {
            if (hashes[p] == h && strings.equals(slots[p] - 1, k, 0, k.length)) action.accept(slots[p] - 1);
        }
    }

    private int find(byte[] k, boolean last) {
        int h = hash(k, 0, k.length);
        int best = -1;
        for (int p = h & mask; slots[p] != 0; p = (p + 1) & mask) {
            int i = slots[p] - 1;
            if (hashes[p] != h || !strings.equals(i, k, 0, k.length)) continue;
            if (best < 0 || (last ? i > best : i < best)) best = i;
        }
        return best;
    }

    private static int hash(byte[] b, int from, int len) {
        int h = 0x811C9DC5;
        for (int i = from, end = from + len; i < end; i++) h = (h ^ b[i]) * 0x01000193; // FNV-1a
        return h ^ (h >>> 15);
    }
}
