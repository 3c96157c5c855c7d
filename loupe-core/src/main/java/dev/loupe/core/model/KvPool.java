package dev.loupe.core.model;

import dev.loupe.core.LoupeException;

/**
 * Keys and values of many sequences, kept in fixed-size blocks of {@link #blockSize()} positions drawn from one
 * shared pool (vLLM's paged attention): a sequence holds a block table instead of a contiguous cache, so memory is
 * taken as a sequence grows, not reserved for its whole context up front, and a block holding a shared prefix can be
 * referenced by several sequences at once. Values are held rounded to F16, the precision llama.cpp's default cache
 * keeps, so attention sees the same numbers.
 * <p>
 * Block {@code b} of layer {@code l} holds positions at rows {@code [b*blockSize, (b+1)*blockSize)} of
 * {@code keys[l]} (row width {@code kvDim}) and {@code values[l]} (row width {@code vDim}); one array per layer
 * keeps attention's inner loop over a block a plain strided walk. Blocks are reference-counted: {@link #allocate()}
 * hands out a block with one reference, {@link #retain} adds one, {@link #release} drops one and returns the
 * block to the free list at zero. Not thread-safe: one owner (the scheduler thread) allocates and releases; the
 * counts may be read from any thread.
 */
public final class KvPool {
    /** Positions per block: small enough that a request wastes little, large enough that the block walk is cheap. */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    final int blockSize;
    final int blockShift;
    final int blockMask;
    final float[][] keys;
    final float[][] values;
    final int kvDim;
    final int vDim;
    private final int[] refs;
    private final int[] free;
    private volatile int freeCount;

    public KvPool(ModelConfig c, int blocks, int blockSize) {
        if (blockSize < 1 || Integer.bitCount(blockSize) != 1) {
            throw new LoupeException("the KV block size must be a power of two, got " + blockSize);
        }
        if (blocks < 1) throw new LoupeException("the KV pool needs at least one block");
        long floats = (long) blocks * blockSize * Math.max(c.kvDim(), c.vDim());
        if (floats > Integer.MAX_VALUE - 16) {
            throw new LoupeException("a KV pool of " + blocks + " blocks of " + blockSize + " positions is too large for one layer's array");
        }
        this.blockSize = blockSize;
        this.blockShift = Integer.numberOfTrailingZeros(blockSize);
        this.blockMask = blockSize - 1;
        this.kvDim = c.kvDim();
        this.vDim = c.vDim();
        this.keys = new float[c.layers()][blocks * blockSize * c.kvDim()];
        this.values = new float[c.layers()][blocks * blockSize * c.vDim()];
        this.refs = new int[blocks];
        this.free = new int[blocks];
        // Lowest block ids on top, so a lone sequence walks memory in order.
        for (int i = 0; i < blocks; i++) free[i] = blocks - 1 - i;
        this.freeCount = blocks;
    }

    /** Bytes one block takes (keys and values of every layer, held as floats). */
    public static long bytesPerBlock(ModelConfig c, int blockSize) {
        return (long) blockSize * c.layers() * (c.kvDim() + c.vDim()) * Float.BYTES;
    }

    /** Blocks needed to hold {@code positions} positions. */
    public int blocksFor(int positions) {
        return (positions + blockMask) >>> blockShift;
    }

    public int blockSize() {
        return blockSize;
    }

    public int blocks() {
        return refs.length;
    }

    public int freeBlocks() {
        return freeCount;
    }

    public int usedBlocks() {
        return refs.length - freeCount;
    }

    /** Positions the whole pool holds. */
    public int capacity() {
        return refs.length * blockSize;
    }

    /** A free block with one reference, or -1 when none is left. */
    public int allocate() {
        int n = freeCount;
        if (n == 0) return -1;
        int b = free[n - 1];
        refs[b] = 1;
        freeCount = n - 1;
        return b;
    }

    public void retain(int block) {
        if (refs[block] <= 0) throw new IllegalStateException("block " + block + " is free");
        refs[block]++;
    }

    /** Drops one reference; the block is free again when none is left. */
    public void release(int block) {
        if (refs[block] <= 0) throw new IllegalStateException("block " + block + " released twice");
        if (--refs[block] == 0) {
            free[freeCount] = block;
            freeCount = freeCount + 1;
        }
    }

    public int references(int block) {
        return refs[block];
    }

    /** Copies the first {@code positions} positions of block {@code from} into block {@code to}, in every layer. */
    void copy(int from, int to, int positions) {
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(keys[l], from * blockSize * kvDim, keys[l], to * blockSize * kvDim, positions * kvDim);
            System.arraycopy(values[l], from * blockSize * vDim, values[l], to * blockSize * vDim, positions * vDim);
        }
    }
}
