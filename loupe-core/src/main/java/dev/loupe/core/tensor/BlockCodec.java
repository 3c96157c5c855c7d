package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A quantized type stored as fixed-size blocks (ggml's block_* structs). The walk over blocks is the same for every
 * type, so it lives here once; a type only says how one block decodes.
 */
abstract class BlockCodec implements Codec {
    private final GgmlType type;

    BlockCodec(GgmlType type) {
        this.type = type;
    }

    @Override
    public final GgmlType type() {
        return type;
    }

    @Override
    public final void dequantize(MemorySegment src, long offset, float[] dst, int dstOff, int n) {
        int qk = type.blockSize, bytes = type.typeSize;
        for (int i = 0; i < n / qk; i++) dequantizeBlock(src, offset + (long) i * bytes, dst, dstOff + i * qk);
    }

    /** Decodes the block at byte {@code o} into {@code dst[y .. y + blockSize)}. */
    abstract void dequantizeBlock(MemorySegment src, long o, float[] dst, int y);
}
