package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
import dev.loupe.core.quant.Quantizers;
import dev.loupe.core.quant.RowQuantizer;
import dev.loupe.core.tensor.Codec;
import dev.loupe.core.tensor.Codecs;
import dev.loupe.core.tensor.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Keys and values of many sequences, kept in fixed-size blocks of {@link #blockSize()} positions drawn from one
 * shared pool (vLLM's paged attention): a sequence holds a block table instead of a contiguous cache, so memory is
 * taken as a sequence grows, not reserved for its whole context up front, and a block holding a shared prefix can be
 * referenced by several sequences at once.
 * <p>
 * <b>Storage.</b> Rows are stored as the ggml types of a {@link KvFormat} (F16 by default, as llama.cpp's cache;
 * Q8_0 or Q4_0 blocks of 32 values for a smaller cache), off the Java heap in a {@link KvStorage}, so a cache may
 * exceed 2 GB. A block is one contiguous run of {@link #bytesPerBlock()} bytes holding every layer, in order, as
 * <pre>
 *   layer l:  K rows of slots 0..blockSize-1 (keyRowBytes each) | V rows of slots 0..blockSize-1 (valueRowBytes each)
 * </pre>
 * so within a block a layer's keys are one strided walk for attention, and a block moves (copy, spill to disk) as one
 * piece. A position's row number is {@code block * blockSize + slot} (see {@link KvCache#row}).
 * <p>
 * <b>Row API</b> (for attention, cache policies and persistence): {@link #readKey}/{@link #readValue} decode one
 * position's row of a layer to floats, {@link #writeKey}/{@link #writeValue} encode floats as the cache type does
 * (llama.cpp's CPU {@code from_float}, after the Hadamard rotation llama.cpp applies to quantized rows, see
 * {@link #keyRotation}; reads undo it, so rows are always in the model's own basis), {@link #copyBlock} and {@link #copyRows} move positions between blocks
 * (compaction, copy on write) and pools; {@link #block}, {@link #keyOffset} and {@link #valueOffset} give the raw
 * bytes for kernels that compute on the stored type directly.
 * <p>
 * Blocks are reference-counted: {@link #allocate()} hands out a block with one reference, {@link #retain} adds one,
 * {@link #release} drops one and returns the block to the free list at zero. Not thread-safe: one owner (the scheduler
 * thread) allocates, releases and writes; the counts and rows may be read from any thread. {@link #close} frees the
 * memory.
 */
public final class KvPool implements AutoCloseable {
    /** Positions per block: small enough that a request wastes little, large enough that the block walk is cheap. */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    final int blockSize;
    final int blockShift;
    final int blockMask;
    final int layers;
    final int kvDim;
    final int vDim;
    private final KvFormat format;
    private final Codec keyCodec;
    private final Codec valueCodec;
    private final long keyRowBytes;
    private final long valueRowBytes;
    /** Bytes of one layer in a block: its K rows then its V rows. */
    private final long layerBytes;
    private final long blockBytes;
    private final KvStorage storage;
    private final int[] refs;
    private final int[] free;
    private volatile int freeCount;
    // The writer's scratch (single writer, see the class comment): quantizers and one encoded row.
    private final RowQuantizer keyWriter;
    private final RowQuantizer valueWriter;
    private final byte[] encoded;
    private final float[] rotated;
    private float[] transit = new float[0];
    /** Hadamard chunks of stored keys and values, 0 for none (see {@link KvFormat#keyRotation}). */
    private final int keyRotation;
    private final int valueRotation;

    /** A pool of F16 keys and values, llama.cpp's default cache precision. */
    public KvPool(ModelConfig c, int blocks, int blockSize) {
        this(c, blocks, blockSize, KvFormat.DEFAULT);
    }

    public KvPool(ModelConfig c, int blocks, int blockSize, KvFormat format) {
        this(c, blocks, blockSize, format, null);
    }

    /**
     * A pool whose block bytes live in {@code storage} (made for {@code blocks} blocks of {@link #bytesPerBlock});
     * null for off-heap memory. The pool owns the storage and closes it.
     */
    public KvPool(ModelConfig c, int blocks, int blockSize, KvFormat format, KvStorage storage) {
        if (blockSize < 1 || Integer.bitCount(blockSize) != 1) {
            throw new LoupeException("the KV block size must be a power of two, got " + blockSize);
        }
        if (blocks < 1) throw new LoupeException("the KV pool needs at least one block");
        format.checkFits(c);
        this.format = format;
        this.blockSize = blockSize;
        this.blockShift = Integer.numberOfTrailingZeros(blockSize);
        this.blockMask = blockSize - 1;
        this.layers = c.layers();
        this.kvDim = c.kvDim();
        this.vDim = c.vDim();
        this.keyCodec = Codecs.of(format.keys(), "KV cache keys");
        this.valueCodec = Codecs.of(format.values(), "KV cache values");
        this.keyRowBytes = format.keys().rowBytes(kvDim);
        this.valueRowBytes = format.values().rowBytes(vDim);
        this.layerBytes = blockSize * (keyRowBytes + valueRowBytes);
        this.blockBytes = layers * layerBytes;
        this.storage = storage != null ? storage : KvStorage.offHeap(blocks, blockBytes);
        this.refs = new int[blocks];
        this.free = new int[blocks];
        // Lowest block ids on top, so a lone sequence walks memory in order.
        for (int i = 0; i < blocks; i++) free[i] = blocks - 1 - i;
        this.freeCount = blocks;
        this.keyWriter = Quantizers.fromFloat(format.keys());
        this.valueWriter = Quantizers.fromFloat(format.values());
        this.encoded = new byte[(int) Math.max(keyRowBytes, valueRowBytes)];
        this.rotated = new float[Math.max(kvDim, vDim)];
        this.keyRotation = format.keyRotation(c);
        this.valueRotation = format.valueRotation(c);
    }

    /** Bytes one block of F16 keys and values takes (every layer). */
    public static long bytesPerBlock(ModelConfig c, int blockSize) {
        return bytesPerBlock(c, blockSize, KvFormat.DEFAULT);
    }

    /** Bytes one block takes in {@code format}: keys and values of every layer, as stored. */
    public static long bytesPerBlock(ModelConfig c, int blockSize, KvFormat format) {
        return blockSize * bytesPerPosition(c, format);
    }

    /** Bytes one position takes in {@code format}, keys and values of every layer. */
    public static long bytesPerPosition(ModelConfig c, KvFormat format) {
        return c.layers() * (format.keys().rowBytes(c.kvDim()) + format.values().rowBytes(c.vDim()));
    }

    public KvFormat format() {
        return format;
    }

    /** Bytes of one block, as {@link #bytesPerBlock(ModelConfig, int, KvFormat)}. */
    public long bytesPerBlock() {
        return blockBytes;
    }

    /**
     * The Hadamard chunk the stored keys are rotated by (queries must be rotated alike before their dot with a stored
     * key), or 0. The row API hides it: {@link #writeKey} rotates, {@link #readKey} rotates back.
     */
    public int keyRotation() {
        return keyRotation;
    }

    /** The Hadamard chunk the stored values are rotated by (a sum of value rows must be rotated back), or 0. */
    public int valueRotation() {
        return valueRotation;
    }

    /** Bytes of one position's key row in one layer. */
    public long keyRowBytes() {
        return keyRowBytes;
    }

    /** Bytes of one position's value row in one layer. */
    public long valueRowBytes() {
        return valueRowBytes;
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
        storage.open(b);
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

    // ---- The row API. A row is block * blockSize + slot; layer is 0-based. ----

    /** The bytes of a block (the {@link KvStorage} seam). */
    public MemorySegment block(int block) {
        return storage.block(block);
    }

    /** Byte offset, within its block, of the key row of {@code slot} in {@code layer}. */
    public long keyOffset(int layer, int slot) {
        return layer * layerBytes + slot * keyRowBytes;
    }

    /** Byte offset, within its block, of the value row of {@code slot} in {@code layer}. */
    public long valueOffset(int layer, int slot) {
        return layer * layerBytes + blockSize * keyRowBytes + slot * valueRowBytes;
    }

    /** Decodes the key row ({@code kvDim} values) of {@code row} in {@code layer} into {@code dst[off..]}. */
    public void readKey(int layer, int row, float[] dst, int off) {
        keyCodec.dequantize(block(row >>> blockShift), keyOffset(layer, row & blockMask), dst, off, kvDim);
        if (keyRotation > 0) Hadamard.rotate(dst, off, kvDim, keyRotation);
    }

    /** Decodes the value row ({@code vDim} values) of {@code row} in {@code layer} into {@code dst[off..]}. */
    public void readValue(int layer, int row, float[] dst, int off) {
        valueCodec.dequantize(block(row >>> blockShift), valueOffset(layer, row & blockMask), dst, off, vDim);
        if (valueRotation > 0) Hadamard.rotate(dst, off, vDim, valueRotation);
    }

    /** Encodes {@code src[off..off+kvDim)} as the key row of {@code row} in {@code layer}. Owner thread only. */
    public void writeKey(int layer, int row, float[] src, int off) {
        write(keyWriter, keyRotation, src, off, kvDim, row, layer, keyOffset(layer, row & blockMask), keyRowBytes);
    }

    /** Encodes {@code src[off..off+vDim)} as the value row of {@code row} in {@code layer}. Owner thread only. */
    public void writeValue(int layer, int row, float[] src, int off) {
        write(valueWriter, valueRotation, src, off, vDim, row, layer, valueOffset(layer, row & blockMask), valueRowBytes);
    }

    /** Rotates (when the type is stored rotated), encodes and stores one row of {@code width} values at {@code at}. */
    private void write(RowQuantizer writer, int rotation, float[] src, int off, int width, int row, int layer, long at, long rowBytes) {
        if (rotation > 0) {
            System.arraycopy(src, off, rotated, 0, width);
            Hadamard.rotate(rotated, 0, width, rotation);
            writer.quantize(rotated, 0, width, encoded, 0);
        } else {
            writer.quantize(src, off, width, encoded, 0);
        }
        MemorySegment.copy(encoded, 0, storage.writable(row >>> blockShift, layer), ValueLayout.JAVA_BYTE, at, (int) rowBytes);
    }

    /** Copies the first {@code positions} positions of block {@code from} into block {@code to}, in every layer. */
    public void copyBlock(int from, int to, int positions) {
        MemorySegment src = block(from), dst = storage.writable(to, -1);
        if (positions == blockSize) {
            MemorySegment.copy(src, 0, dst, 0, blockBytes);
            return;
        }
        for (int l = 0; l < layers; l++) {
            MemorySegment.copy(src, keyOffset(l, 0), dst, keyOffset(l, 0), positions * keyRowBytes);
            MemorySegment.copy(src, valueOffset(l, 0), dst, valueOffset(l, 0), positions * valueRowBytes);
        }
    }

    /**
     * Copies {@code n} consecutive positions, every layer, from row {@code srcRow} of {@code source} to row
     * {@code dstRow} of this pool; neither run may cross a block end. Pools of the same format copy bytes; otherwise
     * each row is decoded and re-encoded in this pool's types. Owner thread only.
     */
    public void copyRows(KvPool source, int srcRow, int dstRow, int n) {
        if (source.kvDim != kvDim || source.vDim != vDim || source.layers != layers) {
            throw new IllegalArgumentException("KV pools of different models");
        }
        MemorySegment src = source.block(srcRow >>> source.blockShift), dst = storage.writable(dstRow >>> blockShift, -1);
        int s = srcRow & source.blockMask, d = dstRow & blockMask;
        if (source.format.equals(format)) {
            for (int l = 0; l < layers; l++) {
                MemorySegment.copy(src, source.keyOffset(l, s), dst, keyOffset(l, d), n * keyRowBytes);
                MemorySegment.copy(src, source.valueOffset(l, s), dst, valueOffset(l, d), n * valueRowBytes);
            }
            return;
        }
        if (transit.length < Math.max(kvDim, vDim)) transit = new float[Math.max(kvDim, vDim)];
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < n; i++) {
                source.readKey(l, srcRow + i, transit, 0);
                writeKey(l, dstRow + i, transit, 0);
                source.readValue(l, srcRow + i, transit, 0);
                writeValue(l, dstRow + i, transit, 0);
            }
        }
    }

    /** Block {@code id}'s bytes for writing {@code layer} (-1: any), through the storage's {@link KvStorage#writable}. */
    MemorySegment writableBlock(int id, int layer) {
        return storage.writable(id, layer);
    }

    /** Block {@code id}'s bytes for reading {@code layer} (-1: any), through the storage's {@link KvStorage#readable}. */
    MemorySegment readableBlock(int id, int layer) {
        return storage.readable(id, layer);
    }

    /** See {@link KvStorage#beginLayer}: the forward pass calls this before it writes and attends a layer. */
    void beginLayer(int layer) {
        storage.beginLayer(layer);
    }

    /** See {@link KvStorage#endLayer}. */
    void endLayer(int layer) {
        storage.endLayer(layer);
    }

    /** Frees the pool's memory; nothing may read or write it afterwards. */
    @Override
    public void close() {
        storage.close();
    }
}
