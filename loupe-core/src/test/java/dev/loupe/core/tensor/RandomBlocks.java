package dev.loupe.core.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Random blocks of any supported type: every byte random except the fp16 scale fields (and, for
 * F16/BF16, every value), which get random finite values so no block decodes to NaN or Inf.
 */
final class RandomBlocks {
    private RandomBlocks() {}

    /** Byte offsets of the fp16 fields inside one block, from ggml-common.h. */
    static int[] halfFields(GgmlType type) {
        return switch (type) {
            case F16 -> new int[] {0};
            case Q4_0, Q5_0, Q8_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            case F32, BF16 -> new int[0];
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** Any finite half: exponent field 0..30 (0 gives zero and subnormals), random sign and mantissa. */
    static short finiteHalf(Random r) {
        return (short) ((r.nextInt(2) << 15) | (r.nextInt(31) << 10) | r.nextInt(1 << 10));
    }

    /**
     * {@code blocks} blocks of {@code type} starting at byte {@code pad} of a heap segment
     * (so the data is unaligned whenever pad is odd), with {@code pad} junk bytes before and after.
     */
    static MemorySegment of(GgmlType type, int blocks, int pad, Random r) {
        byte[] bytes = new byte[pad + blocks * type.typeSize + pad];
        r.nextBytes(bytes);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < blocks; b++) {
            int base = pad + b * type.typeSize;
            for (int f : halfFields(type)) bb.putShort(base + f, finiteHalf(r));
            if (type == GgmlType.BF16) {
                // Exponents 2^-63..2^64 (or zero): finite, and products with |x| <= 4 summed stay finite.
                int exp = r.nextInt(8) == 0 ? 0 : 0x40 + r.nextInt(0x80);
                bb.putShort(base, (short) ((r.nextInt(2) << 15) | (exp << 7) | r.nextInt(1 << 7)));
            }
            if (type == GgmlType.F32) {
                bb.putFloat(base, (float) r.nextGaussian());
            }
        }
        return MemorySegment.ofArray(bytes);
    }
}
