package dev.loupe.serve.engine;

import dev.loupe.core.model.KvPool;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Full KV blocks remembered by the tokens they hold and every token before them (vLLM's automatic prefix caching):
 * a request whose prompt starts with the same blocks adopts them instead of computing them. A block is keyed by a
 * hash chained over all blocks up to it, and its own tokens are compared on a hit, so a block is found only after
 * the same whole prefix. The cache holds one reference on each block it remembers; a block nobody else holds is
 * idle and is evicted, least recently used first, when the pool needs room. Cached blocks are full, so nobody writes
 * them again. Used by the scheduler thread only.
 */
final class PrefixCache {
    private record Entry(long parent, int[] tokens, int block) {}

    private final KvPool pool;
    private final int blockSize;
    /** Access-ordered: a hit moves a block to the young end. */
    private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
    private final long[] chain = new long[64];

    PrefixCache(KvPool pool) {
        this.pool = pool;
        this.blockSize = pool.blockSize();
    }

    /** The hash of a block of {@code tokens} following a prefix whose hash is {@code parent} (0 for none). */
    static long hash(long parent, int[] tokens, int from, int n) {
        long h = parent * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        for (int i = 0; i < n; i++) {
            h ^= tokens[from + i];
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return h == 0 ? 1 : h;
    }

    /**
     * Finds the cached blocks holding the longest prefix of {@code tokens[0, maxTokens)} made of whole blocks, writes
     * their ids to {@code out} and returns how many. The blocks are not retained: adopt them before anything evicts.
     * The chain starts at {@code root}: 0 for plain sequences; sequences whose blocks hold different values for the
     * same tokens (steered ones) start theirs elsewhere, so they never share blocks with plain ones.
     */
    int match(long root, int[] tokens, int maxTokens, int[] out) {
        int n = 0;
        long h = root;
        long[] hashes = maxTokens / blockSize <= chain.length ? chain : new long[maxTokens / blockSize];
        while ((n + 1) * blockSize <= maxTokens) {
            int from = n * blockSize;
            long next = hash(h, tokens, from, blockSize);
            Entry e = entries.get(next);
            if (e == null || e.parent != h || !Arrays.equals(e.tokens, 0, blockSize, tokens, from, from + blockSize)) break;
            hashes[n] = next;
            out[n++] = e.block;
            h = next;
        }
        // Touch the chain again from its end, so the first blocks, which every longer match needs, are evicted last.
        for (int i = n - 2; i >= 0; i--) entries.get(hashes[i]);
        return n;
    }

    /**
     * Remembers {@code block}, full with {@code tokens[from, from + blockSize)} after the prefix hashed {@code parent},
     * and returns its hash, the parent of the next block. A block already cached under that hash (the same prefix
     * computed by another sequence) is kept instead.
     */
    long register(long parent, int[] tokens, int from, int block) {
        long h = hash(parent, tokens, from, blockSize);
        if (!entries.containsKey(h)) {
            pool.retain(block);
            entries.put(h, new Entry(parent, Arrays.copyOfRange(tokens, from, from + blockSize), block));
        }
        return h;
    }

    /** Evicts idle blocks, oldest first, until {@code n} blocks are free; false if even all idle ones are too few. */
    boolean makeRoom(int n) {
        if (pool.freeBlocks() >= n) return true;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext() && pool.freeBlocks() < n; ) {
            Entry e = it.next();
            if (pool.references(e.block) == 1) {
                it.remove();
                pool.release(e.block);
            }
        }
        return pool.freeBlocks() >= n;
    }

    /** Blocks only the cache holds: free to evict. */
    int idleBlocks() {
        int idle = 0;
        for (Entry e : entries.values()) if (pool.references(e.block) == 1) idle++;
        return idle;
    }

    int size() {
        return entries.size();
    }
}
