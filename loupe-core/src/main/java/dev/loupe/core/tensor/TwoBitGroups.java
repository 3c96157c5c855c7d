package dev.loupe.core.tensor;

/**
 * Where the 2-bit quants of Q2_K and Q3_K live. The 256 values are sixteen groups of 16; group g
 * sits in 128-value half g/8, takes bits 2*((g/2)%4) of its bytes, and reads bytes 16*(g%2) of that
 * half's 32 quant bytes (ggml walks this as: per half, four shifts, two 16-byte runs each).
 */
final class TwoBitGroups {
    private TwoBitGroups() {}

    /** Offset of group g's 16 quant bytes from the start of the quant array. */
    static int quantOffset(int g) {
        return 32 * (g >> 3) + 16 * (g & 1);
    }

    static int shift(int g) {
        return 2 * ((g >> 1) & 3);
    }
}
