package dev.loupe.core.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random damage to a small valid file: whatever the bytes, the reader either refuses them with a
 * GgufException or returns a header whose tensors lie inside the file ({@link ParseProbe}). A failure
 * names the seed and iteration, so it can be replayed.
 */
@Timeout(30)
class GgufFuzzTest {
    private static final long SEED = 0x6775_6675L;
    private static final int ITERATIONS = 5000;

    /** Values that sit on the reader's boundaries: zero, signs, powers of two, lengths just past the end. */
    private static final long[] INTERESTING = {0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 31, 32, 33, 63, 64, 255, 256, 1 << 16,
            Integer.MAX_VALUE, 1L << 31, 0xFFFF_FFFFL, 1L << 32, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, -1, -32};

    @Test
    void randomDamageIsRefusedOrHarmless() {
        byte[] original = SampleGguf.bytes(SampleGguf.small(SEED));
        int headerEnd = Math.toIntExact(ParseProbe.parse(original).header().dataOffset());
        Random r = new Random(SEED);
        int refused = 0;
        long start = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] damaged = damage(original, headerEnd, r);
            try {
                if (ParseProbe.parse(damaged).error() != null) refused++;
            } catch (AssertionError e) {
                throw new AssertionError("seed " + SEED + ", iteration " + i + ": " + e.getMessage(), e);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("GgufFuzzTest: %d damaged files, %d refused, %d accepted, %.2f s%n",
                ITERATIONS, refused, ITERATIONS - refused, seconds);
        // Both outcomes must occur, or the damage is not reaching the parts that matter.
        assertThat(refused).isBetween(ITERATIONS / 10, ITERATIONS - ITERATIONS / 20);
    }

    /** One of: flipped bits, a random byte, an interesting u32/u64 written over a field, or a cut. */
    private static byte[] damage(byte[] original, int headerEnd, Random r) {
        byte[] b = original.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            // Most damage goes to the header, where every byte is a length, a type or an offset.
            int pos = r.nextInt(10) < 9 ? r.nextInt(Math.min(headerEnd, b.length)) : r.nextInt(b.length);
            switch (r.nextInt(4)) {
                case 0 -> b[pos] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[pos] = (byte) r.nextInt(256);
                case 2 -> overwrite(b, pos, INTERESTING[r.nextInt(INTERESTING.length)], r.nextBoolean() ? 4 : 8);
                default -> b = Arrays.copyOf(b, r.nextInt(b.length));
            }
            if (b.length == 0) break;
        }
        return b;
    }

    private static void overwrite(byte[] b, int pos, long value, int width) {
        byte[] v = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
        System.arraycopy(v, 0, b, pos, Math.min(width, b.length - pos));
    }
}
