package dev.loupe.core.tensor;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The grouped attention loops give, head by head, exactly the bits of the per-row, per-head {@link F16Codec} calls they
 * replace (the oracle), for every head count, head width (with and without a tail past the vector width) and run length.
 */
class F16RowsTest {
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    @Property(tries = 60)
    void dotsAndAccumulateEqualThePerHeadCalls(@ForAll @IntRange(min = 1, max = 4) int m, @ForAll @IntRange(min = 1, max = 80) int n,
                                               @ForAll @IntRange(min = 1, max = 20) int rows, @ForAll long seed) {
        Random r = new Random(seed);
        long stride = 2L * n + 2L * r.nextInt(9); // rows of a cache block: other heads' halves in between
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(16 + stride * rows);
            long off = 2L * r.nextInt(8);
            for (long b = 0; b + 2 <= src.byteSize(); b += 2) src.set(HALF, b, Float.floatToFloat16((float) r.nextGaussian()));
            int h0 = r.nextInt(3);
            float[][] q = new float[h0 + m][], p = new float[h0 + m][], want = new float[h0 + m][];
            for (int j = h0; j < h0 + m; j++) {
                q[j] = new float[n];
                for (int i = 0; i < n; i++) q[j][i] = Float.float16ToFloat(Float.floatToFloat16((float) r.nextGaussian()));
                p[j] = new float[rows + 3];
                want[j] = new float[rows + 3];
            }
            float scale = 0.125f;
            F16Rows.dots(src, off, stride, rows, q, h0, m, n, scale, p, 3);
            F16Codec codec = new F16Codec();
            for (int j = h0; j < h0 + m; j++) {
                for (int k = 0; k < rows; k++) want[j][3 + k] = codec.dot(src, off + k * stride, q[j], 0, n) * scale;
                assertThat(p[j]).as("dots, head %d", j).isEqualTo(want[j]);
            }

            int outStride = n + 5;
            float[] out = new float[outStride * m + 7], expected = new float[out.length];
            for (int i = 0; i < out.length; i++) out[i] = expected[i] = (float) r.nextGaussian();
            F16Rows.accumulate(src, off, stride, rows, p, h0, m, 3, out, 7, outStride, n);
            for (int j = 0; j < m; j++) {
                for (int k = 0; k < rows; k++) codec.accumulate(src, off + k * stride, p[h0 + j][3 + k], expected, 7 + j * outStride, n, null);
            }
            assertThat(out).as("accumulate").isEqualTo(expected);
        }
    }
}
