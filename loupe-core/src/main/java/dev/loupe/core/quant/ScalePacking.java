package dev.loupe.core.quant;

/**
 * The 12-byte packing of eight 6-bit scales and eight 6-bit mins shared by Q4_K and Q5_K (the inverse of
 * ggml's {@code get_scale_min_k4}): groups 0-3 take the low 6 bits of bytes 0-3 (scales) and 4-7 (mins);
 * groups 4-7 put their low nibbles in bytes 8-11 and their top two bits in the spare top bits of bytes 0-7.
 */
final class ScalePacking {
    private ScalePacking() {}

    static void pack(int[] scales, int[] mins, byte[] dst, int off) {
        for (int j = 0; j < 4; j++) {
            dst[off + j] = (byte) (scales[j] | ((scales[j + 4] >> 4) << 6));
            dst[off + j + 4] = (byte) (mins[j] | ((mins[j + 4] >> 4) << 6));
            dst[off + j + 8] = (byte) ((scales[j + 4] & 0xF) | ((mins[j + 4] & 0xF) << 4));
        }
    }
}
