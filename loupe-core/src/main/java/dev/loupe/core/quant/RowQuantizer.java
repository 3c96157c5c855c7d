package dev.loupe.core.quant;

import dev.loupe.core.tensor.GgmlType;

/**
 * Turns float rows into one ggml type's blocks, mirroring ggml's {@code quantize_row_*_ref} (the path
 * llama-quantize takes without an importance matrix), so the bytes match llama-quantize's.
 * An instance keeps its scratch buffers, so quantizing allocates nothing; it is therefore not
 * thread-safe: one instance per thread (see {@link Quantizers#create}).
 */
public interface RowQuantizer {
    GgmlType type();

    /**
     * Encodes {@code src[srcOff..srcOff+n)} into {@code dst} from byte {@code dstOff}; {@code n} must be a
     * multiple of the type's block size. Writes {@code type().rowBytes(n)} bytes.
     */
    void quantize(float[] src, int srcOff, int n, byte[] dst, int dstOff);
}
