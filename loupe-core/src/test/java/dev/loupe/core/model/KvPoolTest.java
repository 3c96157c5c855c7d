package dev.loupe.core.model;

import dev.loupe.core.quant.Quantizers;
import dev.loupe.core.tensor.Codecs;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The KV pool's storage and row API, per cache type, against hand-computed values and the codecs' own decoding. */
class KvPoolTest {
    /** Llama-3.2-1B's attention shape: 16 layers, 32 query and 8 KV heads of 64. */
    static ModelConfig config(int layers, int heads, int kvHeads, int headDim) {
        return new ModelConfig(Architecture.of("llama"), heads * headDim, layers, heads, kvHeads, headDim, headDim, 128, 100,
                32768, 1e-5f, 10000f, headDim, RopeScaling.NONE, (float) (1 / Math.sqrt(headDim)), 0f, 0f, 0);
    }

    @Test
    void bytesPerBlockAreTheStoredTypesBytes() {
        ModelConfig c = config(16, 32, 8, 64); // kvDim 512
        // Per layer and position: 512 keys + 512 values. F32 4 bytes each; F16 2; Q8_0 34 per 32; Q4_0 18 per 32.
        assertThat(KvPool.bytesPerPosition(c, new KvFormat(GgmlType.F32, GgmlType.F32))).isEqualTo(16L * 1024 * 4);
        assertThat(KvPool.bytesPerPosition(c, KvFormat.DEFAULT)).isEqualTo(16L * 1024 * 2);
        assertThat(KvPool.bytesPerPosition(c, new KvFormat(GgmlType.Q8_0, GgmlType.Q8_0))).isEqualTo(16L * 2 * 16 * 34);
        assertThat(KvPool.bytesPerPosition(c, new KvFormat(GgmlType.Q4_0, GgmlType.Q4_0))).isEqualTo(16L * 2 * 16 * 18);
        assertThat(KvPool.bytesPerBlock(c, 16, new KvFormat(GgmlType.Q8_0, GgmlType.F16)))
                .isEqualTo(16L * 16 * (16 * 34 + 512 * 2));
        try (KvPool pool = new KvPool(c, 2, 16, new KvFormat(GgmlType.Q4_0, GgmlType.Q8_0))) {
            assertThat(pool.bytesPerBlock()).isEqualTo(16L * 16 * (16 * 18 + 16 * 34));
            assertThat(pool.keyRowBytes()).isEqualTo(16 * 18);
            assertThat(pool.valueRowBytes()).isEqualTo(16 * 34);
        }
    }

    /** A 32k context of a 1B shape in F32 is 2 GiB: more than one Java array or one int offset holds. */
    @Test
    void aCacheLargerThanTwoGigabytesWorks() {
        ModelConfig c = config(16, 32, 8, 64);
        KvFormat f32 = new KvFormat(GgmlType.F32, GgmlType.F32);
        try (KvPool pool = new KvPool(c, 32768 / 16, 16, f32)) {
            assertThat((long) pool.blocks() * pool.bytesPerBlock()).isEqualTo(2L << 30).isGreaterThan(Integer.MAX_VALUE);
            assertThat(pool.capacity()).isEqualTo(32768);
            // Blocks are allocated as the pool hands them out, so this test takes a few MB, not 2 GiB.
            int a = pool.allocate(), b = pool.allocate();
            float[] row = new float[512], back = new float[512];
            for (int i = 0; i < row.length; i++) row[i] = i - 256.5f;
            int last = b * 16 + 15;
            pool.writeValue(15, last, row, 0);
            pool.readValue(15, last, back, 0);
            assertThat(back).isEqualTo(row);
            assertThat(pool.valueOffset(15, 15) + 512 * 4).isEqualTo(pool.bytesPerBlock());
            pool.release(a);
        }
    }

    /**
     * Head size 32: no rotation, so a stored row is exactly the quantizer's bytes and reads back as the codec decodes
     * them; and those decoded values are what the type's definition says, computed here by hand.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "Q8_0", "Q4_0"})
    void rowsRoundTripAsTheCodecDecodes(GgmlType type) {
        ModelConfig c = config(2, 4, 2, 32); // kvDim 64: two blocks of 32 per row
        float[] x = randomRow(64, 7);
        try (KvPool pool = new KvPool(c, 4, 4, new KvFormat(type, type))) {
            assertThat(pool.keyRotation()).isZero();
            int block = pool.allocate();
            int row = block * 4 + 2;
            pool.writeKey(1, row, x, 0);
            pool.writeValue(1, row, x, 0);
            byte[] expectBytes = new byte[(int) type.rowBytes(64)];
            Quantizers.fromFloat(type).quantize(x, 0, 64, expectBytes, 0);
            byte[] stored = pool.block(block).asSlice(pool.keyOffset(1, 2), expectBytes.length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertThat(stored).isEqualTo(expectBytes);
            float[] decoded = new float[64];
            Codecs.of(type, "t").dequantize(MemorySegment.ofArray(expectBytes), 0, decoded, 0, 64);
            float[] key = new float[64], value = new float[64];
            pool.readKey(1, row, key, 0);
            pool.readValue(1, row, value, 0);
            assertThat(key).isEqualTo(decoded);
            assertThat(value).isEqualTo(decoded);
            assertThat(key).isEqualTo(byHand(type, x));
        }
    }

    /** What each type stores for x, from its definition (ggml's from_float on x86). */
    private static float[] byHand(GgmlType type, float[] x) {
        float[] out = new float[x.length];
        for (int b = 0; b < x.length; b += 32) {
            float amax = 0, max = 0;
            for (int j = b; j < b + 32; j++) {
                if (Math.abs(x[j]) > amax) {
                    amax = Math.abs(x[j]);
                    max = x[j];
                }
            }
            for (int j = b; j < b + 32; j++) {
                out[j] = switch (type) {
                    case F32 -> x[j];
                    case F16 -> Float.float16ToFloat(Float.floatToFloat16(x[j]));
                    // AVX2 quantize_row_q8_0: d = amax/127 kept as f16, q = round-half-even(x * 127/amax).
                    case Q8_0 -> (float) Math.rint(x[j] * (127f / amax)) * half(amax / 127f);
                    // quantize_row_q4_0_ref: d = max/-8 (the signed extreme), q = min(15, (int)(x/d + 8.5)) - 8.
                    case Q4_0 -> (Math.min(15, (int) (x[j] * (1f / (max / -8f)) + 8.5f)) - 8) * half(max / -8f);
                    default -> throw new AssertionError(type);
                };
            }
        }
        return out;
    }

    private static float half(float f) {
        return Float.float16ToFloat(Float.floatToFloat16(f));
    }

    /** Head size 64 with a quantized type: rows are stored rotated, and read back in the model's basis. */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0"})
    void rotatedRowsReadBackInTheModelsBasis(GgmlType type) {
        ModelConfig c = config(1, 2, 2, 64);
        float[] x = randomRow(128, 11);
        x[5] = 40f; // an outlier channel: what the rotation is for
        try (KvPool pool = new KvPool(c, 1, 4, new KvFormat(type, type))) {
            assertThat(pool.keyRotation()).isEqualTo(64);
            assertThat(pool.valueRotation()).isEqualTo(64);
            pool.allocate();
            pool.writeKey(0, 1, x, 0);
            float[] rotated = x.clone();
            Hadamard.rotate(rotated, 0, 128, 64);
            float[] expect = byHand(type, rotated);
            Hadamard.rotate(expect, 0, 128, 64);
            float[] back = new float[128];
            pool.readKey(0, 1, back, 0);
            for (int i = 0; i < 128; i++) assertThat(back[i]).as("element %d", i).isCloseTo(expect[i], org.assertj.core.api.Assertions.within(1e-5f));
            // And the rotation pays: unrotated, the outlier's block would have a step of 40/127 (Q8_0) or 40/8 (Q4_0).
            float rotErr = maxAbsDiff(back, x), plainErr = maxAbsDiff(byHand(type, x), x);
            assertThat(rotErr).isLessThan(plainErr);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F16", "Q8_0"})
    void copiesMoveRowsBetweenBlocksAndPools(GgmlType type) {
        ModelConfig c = config(2, 2, 2, 64);
        try (KvPool a = new KvPool(c, 4, 4, new KvFormat(type, type)); KvPool b = new KvPool(c, 4, 4, new KvFormat(GgmlType.F32, GgmlType.F32))) {
            int from = a.allocate(), to = a.allocate();
            float[][] rows = new float[4][];
            for (int s = 0; s < 4; s++) {
                rows[s] = randomRow(128, 100 + s);
                for (int l = 0; l < 2; l++) {
                    a.writeKey(l, from * 4 + s, rows[s], 0);
                    a.writeValue(l, from * 4 + s, rows[s], 0);
                }
            }
            a.copyBlock(from, to, 3); // a partial block: slot 3 stays as it was
            float[] got = new float[128], want = new float[128];
            for (int s = 0; s < 3; s++) {
                for (int l = 0; l < 2; l++) {
                    a.readKey(l, to * 4 + s, got, 0);
                    a.readKey(l, from * 4 + s, want, 0);
                    assertThat(got).isEqualTo(want);
                    a.readValue(l, to * 4 + s, got, 0);
                    a.readValue(l, from * 4 + s, want, 0);
                    assertThat(got).isEqualTo(want);
                }
            }
            // Across formats the rows are decoded and stored as F32: exactly what the source decodes to.
            int dst = b.allocate();
            b.copyRows(a, from * 4 + 1, dst * 4 + 2, 2);
            for (int s = 0; s < 2; s++) {
                a.readValue(1, from * 4 + 1 + s, want, 0);
                b.readValue(1, dst * 4 + 2 + s, got, 0);
                assertThat(got).isEqualTo(want);
            }
        }
    }

    @Test
    void aClosedPoolsMemoryIsGone() {
        KvPool pool = new KvPool(config(1, 2, 2, 32), 2, 4);
        int b = pool.allocate();
        MemorySegment s = pool.block(b);
        pool.close();
        assertThatThrownBy(() -> s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void hadamardIsSylvestersOrthonormalMatrixAndItsOwnInverse() {
        int n = 64;
        float[] x = randomRow(n, 3);
        float[] y = x.clone();
        Hadamard.rotate(y, 0, n, n);
        for (int i = 0; i < n; i++) {
            double s = 0;
            // Sylvester's H[i][j] = (-1)^popcount(i & j) / sqrt(n).
            for (int j = 0; j < n; j++) s += (Integer.bitCount(i & j) % 2 == 0 ? 1 : -1) * x[j];
            assertThat((double) y[i]).isCloseTo(s / Math.sqrt(n), org.assertj.core.api.Assertions.within(1e-5));
        }
        Hadamard.rotate(y, 0, n, n);
        for (int i = 0; i < n; i++) assertThat(y[i]).isCloseTo(x[i], org.assertj.core.api.Assertions.within(1e-5f));
    }

    static float[] randomRow(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
