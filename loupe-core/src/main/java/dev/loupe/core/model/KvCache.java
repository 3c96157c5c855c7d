package dev.loupe.core.model;

import dev.loupe.core.LoupeException;

import java.util.Arrays;

/**
 * One sequence's view of a {@link KvPool}: its block table, mapping position {@code t} to row
 * {@code table[t / blockSize] * blockSize + t % blockSize} of the pool (slot {@code t % blockSize} of block
 * {@code table[t / blockSize]}). The table grows a block at
 * a time as the sequence does ({@link #reserve}); a private cache (a session of its own) has a pool sized for its
 * whole context but takes blocks only as positions are reserved, so a short prompt in a long context touches (and
 * zeroes) only the memory it uses. The first blocks may be shared with other sequences (a cached prefix): they are only
 * read, since a sequence writes at its own position and shared blocks are full.
 */
final class KvCache {
    final KvPool pool;
    /** Positions this sequence may ever hold (its context length). */
    final int capacity;
    int[] table;
    int blocks;
    /**
     * Per position, the attention probability it has received, summed over layers, heads and queries; null unless a
     * context policy asks for it (H2O). The attention kernel adds to it; {@link #compact} moves it with the rows.
     */
    float[] scores;

    KvCache(KvPool pool, int capacity) {
        this.pool = pool;
        this.capacity = capacity;
        this.table = new int[pool.blocksFor(capacity)];
    }

    /** A cache with a pool of its own, room for every block of the context: the single-session path. */
    static KvCache privateCache(ModelConfig c, int capacity, KvFormat format) {
        return privateCache(c, capacity, format, null);
    }

    /** A private cache whose blocks beyond {@code offload}'s RAM budget spill to its directory (null: all in RAM). */
    static KvCache privateCache(ModelConfig c, int capacity, KvFormat format, KvOffload offload) {
        int blocks = (capacity + KvPool.DEFAULT_BLOCK_SIZE - 1) / KvPool.DEFAULT_BLOCK_SIZE;
        KvStorage storage = offload == null ? null
                : SpillStorage.create(offload, blocks, KvPool.bytesPerBlock(c, KvPool.DEFAULT_BLOCK_SIZE, format), c.layers());
        KvPool pool = new KvPool(c, blocks, KvPool.DEFAULT_BLOCK_SIZE, format, storage);
        // No blocks are taken here: Arena.allocate zeroes each one, and a 4096-token 1B context is 128 MiB that a short
        // prompt never reads (0.13-0.16 s of a cold start, and its resident memory).
        return new KvCache(pool, capacity);
    }

    /** Row of position {@code t} in the pool (see {@link KvPool}'s row API). */
    int row(int t) {
        return (table[t >>> pool.blockShift] << pool.blockShift) | (t & pool.blockMask);
    }

    /** The last position in the block holding {@code t}: positions up to it are consecutive rows. */
    int lastInBlock(int t) {
        return t | pool.blockMask;
    }

    /** Makes room for positions [0, positions); false (taking nothing) when the pool has too few free blocks. */
    boolean reserve(int positions) {
        if (positions > capacity) throw new LoupeException("context is full (" + capacity + " tokens)");
        int need = pool.blocksFor(positions);
        if (need <= blocks) return true;
        if (need - blocks > pool.freeBlocks()) return false;
        while (blocks < need) table[blocks++] = pool.allocate();
        return true;
    }

    /** Starts with {@code shared} blocks that another sequence filled (one more reference each). Only on an empty cache. */
    void adopt(int[] shared, int count) {
        if (blocks != 0) throw new IllegalStateException("adopt on a cache that holds " + blocks + " blocks");
        if (count > table.length) throw new IllegalArgumentException(count + " blocks exceed the context's " + table.length);
        for (int i = 0; i < count; i++) {
            pool.retain(shared[i]);
            table[i] = shared[i];
        }
        blocks = count;
    }

    /**
     * Keeps positions [0, positions) and gives the blocks past them back. A kept, partly overwritten block that other
     * sequences also hold is first copied (copy on write), so rewinding never changes what they read.
     */
    void truncate(int positions) {
        int keep = pool.blocksFor(positions);
        while (blocks > keep) pool.release(table[--blocks]);
        int partial = positions & pool.blockMask;
        if (partial != 0 && pool.references(table[keep - 1]) > 1) {
            int copy = pool.allocate();
            if (copy < 0) throw new LoupeException("the KV pool is full");
            pool.copyBlock(table[keep - 1], copy, partial);
            pool.release(table[keep - 1]);
            table[keep - 1] = copy;
        }
    }

    /**
     * Copies the keys and values of positions [0, n) of {@code source} into this cache, run by run of rows (converted
     * when the two pools store different types).
     */
    void copyFrom(KvCache source, int n) {
        if (!reserve(n)) throw new LoupeException("the KV cache pool is full");
        for (int t = 0; t < n; ) {
            int run = Math.min(n - t, Math.min(source.rowsLeftInBlock(t), rowsLeftInBlock(t)));
            pool.copyRows(source.pool, source.row(t), row(t), run);
            t += run;
        }
    }

    /**
     * Keeps the positions {@code keep[0..n)} (ascending) as positions 0..n-1, in every layer: each kept row moves down
     * to its new slot (bytes copied) and its key is re-rotated by RoPE from its old position to the new one (keys are
     * cached after RoPE), decoded and encoded again in the cache's key type, as llama.cpp's K-shift does. A private
     * cache only: shared blocks must never be written.
     */
    void compact(int[] keep, int n, Rope rope, int kvHeads, int headDim) {
        if (rotated.length < pool.kvDim) rotated = new float[pool.kvDim];
        int shift = 0;
        boolean set = false;
        for (int i = 0; i < n; i++) {
            int from = keep[i];
            if (from < i || (i > 0 && from <= keep[i - 1])) throw new IllegalArgumentException("kept positions must ascend: " + from + " at " + i);
            if (from == i) continue;
            int dst = row(i);
            pool.copyRows(pool, row(from), dst, 1);
            if (!set || shift != i - from) {
                shift = i - from;
                set = true;
                rope.setShift(shift);
            }
            for (int l = 0; l < pool.layers; l++) {
                pool.readKey(l, dst, rotated, 0);
                rope.apply(rotated, 0, kvHeads, headDim);
                pool.writeKey(l, dst, rotated, 0);
            }
            if (scores != null) scores[i] = scores[from];
        }
        if (scores != null) java.util.Arrays.fill(scores, n, capacity, 0f);
    }

    /** Scratch for one key row being re-rotated. */
    private float[] rotated = new float[0];

    private int rowsLeftInBlock(int t) {
        return pool.blockSize - (t & pool.blockMask);
    }

    /** The block ids in use, in order (a copy). */
    int[] blockIds() {
        return Arrays.copyOf(table, blocks);
    }
}
