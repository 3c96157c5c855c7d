package dev.loupe.core.model;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attention over a cache of each type against a scalar oracle written from the definition: scores are the dot of the
 * query, converted as ggml converts it (rounded to F16, or quantized to Q8_0 with d = amax/127 and round-half-even),
 * with the stored (dequantized, rotated) keys, in double; softmax in double; probabilities rounded to F16 for an F16
 * value cache; the weighted sum of the stored values rotated back. The cache crosses three 16-position blocks and two
 * query rows see different lengths; 4 query heads share 2 KV heads.
 */
class KvAttentionTest {
    private static final int HEADS = 4, KV_HEADS = 2, HD = 64, POSITIONS = 40;
    private static final ModelConfig C = KvPoolTest.config(1, HEADS, KV_HEADS, HD);
    private static final int[] QUERY_POSITIONS = {39, 20};
    private static ThreadPool threads;

    @BeforeAll
    static void start() {
        threads = new ThreadPool(2);
    }

    @AfterAll
    static void stop() {
        threads.close();
    }

    @ParameterizedTest(name = "K {0}, V {1}")
    @CsvSource({"F32, F32", "F16, F16", "Q8_0, F16", "Q8_0, Q8_0", "Q4_0, Q4_0", "F16, Q4_0", "Q4_0, F32"})
    void matchesTheScalarOracle(GgmlType k, GgmlType v) {
        Fixture f = new Fixture(new KvFormat(k, v));
        double[] oracle = f.oracle(true);
        float[] out = f.attend();
        double scale = 0;
        for (double o : oracle) scale = Math.max(scale, Math.abs(o));
        for (int i = 0; i < out.length; i++) {
            assertThat((double) out[i]).as("output %d", i).isCloseTo(oracle[i], org.assertj.core.api.Assertions.within(1e-5 * scale));
        }
        f.close();
    }

    /** Against attention on the unrounded floats, coarser types lose more: F32 < F16 < Q8_0 < Q4_0. */
    @Test
    void errorGrowsAsTheTypeCoarsens() {
        double last = -1;
        for (GgmlType t : KvFormat.TYPES) {
            Fixture f = new Fixture(new KvFormat(t, t));
            double[] exact = f.oracle(false);
            float[] out = f.attend();
            double err = 0;
            for (int i = 0; i < out.length; i++) err = Math.max(err, Math.abs(out[i] - exact[i]));
            assertThat(err).as("%s error", t).isGreaterThan(last);
            last = err;
            f.close();
        }
        assertThat(last).as("Q4_0's error stays a quantization error").isLessThan(0.5);
    }

    /** Random q, k, v written through the row API into a pool of {@code format}. */
    private static final class Fixture {
        final KvFormat format;
        final KvPool pool;
        final KvCache cache;
        final float[][] keys = new float[POSITIONS][], values = new float[POSITIONS][];
        final float[] q;

        Fixture(KvFormat format) {
            this.format = format;
            this.pool = new KvPool(C, 4, 16, format);
            this.cache = new KvCache(pool, 64);
            assertThat(cache.reserve(POSITIONS)).isTrue();
            Random r = new Random(5);
            for (int t = 0; t < POSITIONS; t++) {
                keys[t] = gaussian(r, C.kvDim());
                values[t] = gaussian(r, C.vDim());
                pool.writeKey(0, cache.row(t), keys[t], 0);
                pool.writeValue(0, cache.row(t), values[t], 0);
            }
            q = gaussian(r, 2 * C.qDim());
        }

        float[] attend() {
            float[] out = new float[2 * HEADS * HD];
            new Attention(C, 2, 64).run(threads, 0, q.clone(), out, new KvCache[]{cache, cache}, QUERY_POSITIONS, 2);
            return out;
        }

        /** As stored (converted = true), or on the original floats with no conversion at all. */
        double[] oracle(boolean converted) {
            double[] out = new double[2 * HEADS * HD];
            int kRot = pool.keyRotation(), vRot = pool.valueRotation();
            for (int b = 0; b < 2; b++) {
                for (int h = 0; h < HEADS; h++) {
                    int kvh = h / (HEADS / KV_HEADS), pos = QUERY_POSITIONS[b];
                    float[] qh = java.util.Arrays.copyOfRange(q, (b * HEADS + h) * HD, (b * HEADS + h + 1) * HD);
                    if (converted) {
                        if (kRot > 0) Hadamard.rotate(qh, 0, HD, kRot);
                        convertQuery(qh, format.keys());
                    }
                    double[] p = new double[pos + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t <= pos; t++) {
                        float[] kh = head(converted ? stored(true, t, kRot) : keys[t], kvh);
                        double s = 0;
                        for (int i = 0; i < HD; i++) s += (double) qh[i] * kh[i];
                        p[t] = s * C.attnScale();
                        max = Math.max(max, p[t]);
                    }
                    double sum = 0;
                    for (int t = 0; t <= pos; t++) sum += p[t] = Math.exp(p[t] - max);
                    float[] o = new float[HD];
                    double[] acc = new double[HD];
                    for (int t = 0; t <= pos; t++) {
                        double pt = p[t] / sum;
                        if (converted && format.values() == GgmlType.F16) pt = Float.float16ToFloat(Float.floatToFloat16((float) pt));
                        float[] vh = head(converted ? stored(false, t, vRot) : values[t], kvh);
                        for (int i = 0; i < HD; i++) acc[i] += pt * vh[i];
                    }
                    for (int i = 0; i < HD; i++) o[i] = (float) acc[i];
                    if (converted && vRot > 0) Hadamard.rotate(o, 0, HD, vRot);
                    for (int i = 0; i < HD; i++) out[(b * HEADS + h) * HD + i] = converted && vRot > 0 ? o[i] : acc[i];
                }
            }
            return out;
        }

        /** The row as the cache holds it: decoded, and in the rotated basis when the type is rotated. */
        private float[] stored(boolean key, int t, int rot) {
            float[] row = new float[C.kvDim()];
            if (key) pool.readKey(0, cache.row(t), row, 0);
            else pool.readValue(0, cache.row(t), row, 0);
            if (rot > 0) Hadamard.rotate(row, 0, row.length, rot);
            return row;
        }

        void close() {
            pool.close();
        }
    }

    /** The query as ggml converts it for a dot with keys of {@code keyType} (its vec_dot_type). */
    private static void convertQuery(float[] x, GgmlType keyType) {
        switch (keyType) {
            case F32 -> { }
            case F16 -> {
                for (int i = 0; i < x.length; i++) x[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
            }
            default -> { // Q8_0 (the vec_dot_type of Q8_0 and Q4_0), as the AVX2 quantize_row_q8_0
                for (int b = 0; b < x.length; b += 32) {
                    float amax = 0;
                    for (int j = b; j < b + 32; j++) amax = Math.max(amax, Math.abs(x[j]));
                    float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
                    for (int j = b; j < b + 32; j++) x[j] = (float) Math.rint(x[j] * (127f / amax)) * d;
                }
            }
        }
    }

    private static float[] head(float[] row, int kvh) {
        return java.util.Arrays.copyOfRange(row, kvh * HD, (kvh + 1) * HD);
    }

    private static float[] gaussian(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }
}
