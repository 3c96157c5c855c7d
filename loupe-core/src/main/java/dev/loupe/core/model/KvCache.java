package dev.loupe.core.model;

import dev.loupe.core.LoupeException;

import java.util.Arrays;

/**
 * One sequence's view of a {@link KvPool}: its block table, mapping position {@code t} to row
 * {@code table[t / blockSize] * blockSize + t % blockSize} of the pool (slot {@code t % blockSize} of block
 * {@code table[t / blockSize]}). The table grows a block at
 * a time as the sequence does ({@link #reserve}); a private cache (a session of its own) simply has every block of
 * its context from the start. The first blocks may be shared with other sequences (a cached prefix): they are only
 * read, since a sequence writes at its own position and shared blocks are full.
 */
final class KvCache {
    final KvPool pool;
    /** Positions this sequence may ever hold (its context length). */
    final int capacity;
    int[] table;
    int blocks;

    KvCache(KvPool pool, int capacity) {
        this.pool = pool;
        this.capacity = capacity;
        this.table = new int[pool.blocksFor(capacity)];
    }

    /** A cache with a pool of its own, every block of the context taken up front: the single-session path. */
    static KvCache privateCache(ModelConfig c, int capacity, KvFormat format) {
        return privateCache(c, capacity, format, null);
    }

    /** A private cache whose blocks beyond {@code offload}'s RAM budget spill to its directory (null: all in RAM). */
    static KvCache privateCache(ModelConfig c, int capacity, KvFormat format, KvOffload offload) {
        int blocks = (capacity + KvPool.DEFAULT_BLOCK_SIZE - 1) / KvPool.DEFAULT_BLOCK_SIZE;
        KvStorage storage = offload == null ? null
                : SpillStorage.create(offload, blocks, KvPool.bytesPerBlock(c, KvPool.DEFAULT_BLOCK_SIZE, format), c.layers());
        KvPool pool = new KvPool(c, blocks, KvPool.DEFAULT_BLOCK_SIZE, format, storage);
        KvCache cache = new KvCache(pool, capacity);
        if (!cache.reserve(capacity)) throw new IllegalStateException("a private pool is sized for its context");
        return cache;
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

    private int rowsLeftInBlock(int t) {
        return pool.blockSize - (t & pool.blockMask);
    }

    /** The block ids in use, in order (a copy). */
    int[] blockIds() {
        return Arrays.copyOf(table, blocks);
    }
}
