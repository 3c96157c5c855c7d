package dev.loupe.core.tensor;

import dev.loupe.core.Fixtures;
import dev.loupe.core.gguf.GgufFile;
import dev.loupe.core.gguf.TensorInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our decoders against llama.cpp's encoders: the tiny-llama files hold one set of weights as F32
 * and as F16/Q8_0/Q4_0 (llama-quantize --pure), so each decoded value must lie within what the
 * format can represent of the F32 original. The small-llama K-quant files have no F32 twin; there
 * the same tensor decoded from different files must agree within the formats' errors.
 */
class FixtureAgreementTest {
    static GgufFile f32;

    @BeforeAll
    static void open() {
        f32 = GgufFile.open(Fixtures.model("tiny-llama-f32.gguf"));
    }

    @AfterAll
    static void close() {
        f32.close();
    }

    static float[] decode(GgufFile file, TensorInfo t) {
        float[] v = new float[Math.toIntExact(t.elementCount())];
        Codecs.of(t.type(), t.name()).dequantize(file.tensorData(t), 0, v, 0, v.length);
        return v;
    }

    /** Allowed |decoded - original| for one block of the original values. */
    interface BlockBound {
        double of(float[] original, int from, int to, int i);
    }

    static double absMax(float[] v, int from, int to) {
        double m = 0;
        for (int i = from; i < to; i++) m = Math.max(m, Math.abs(v[i]));
        return m;
    }

    /**
     * Checks every quantized tensor of {@code name} against the F32 file and returns the worst
     * error as a fraction of its bound (so the test also reports how tight the bound is).
     */
    static double checkAgainstF32(String name, GgmlType type, BlockBound bound) {
        double worst = 0;
        int checked = 0;
        try (GgufFile q = GgufFile.open(Fixtures.model(name))) {
            for (TensorInfo t : q.tensors()) {
                if (t.type() != type) continue;
                float[] want = decode(f32, f32.tensor(t.name()));
                float[] got = decode(q, t);
                assertThat(got).hasSameSizeAs(want);
                int bs = type == GgmlType.F16 ? 1 : type.blockSize;
                for (int b = 0; b < got.length; b += bs) {
                    for (int i = b; i < b + bs; i++) {
                        double allowed = bound.of(want, b, b + bs, i);
                        double err = Math.abs((double) got[i] - want[i]);
                        if (!(err <= allowed)) {
                            throw new AssertionError(name + " " + t.name() + " value " + i + ": decoded " + got[i]
                                    + ", original " + want[i] + ", error " + err + " > allowed " + allowed);
                        }
                        if (allowed > 0) worst = Math.max(worst, err / allowed);
                    }
                }
                checked++;
            }
        }
        assertThat(checked).as("%s has %s tensors", name, type).isGreaterThan(0);
        return worst;
    }

    @Test
    void f16IsTheNearestHalf() {
        // Round-to-nearest to a half is off by at most half an ulp: 2^-11 relative for normal
        // halves, 2^-25 absolute in the subnormal range (ulp 2^-24).
        double worst = checkAgainstF32("tiny-llama-f16.gguf", GgmlType.F16,
                (v, from, to, i) -> Math.max(Math.abs(v[i]) * 0x1p-11, 0x1p-25));
        System.out.printf("F16 worst error / bound = %.3f%n", worst);
    }

    @Test
    void q8_0IsWithinHalfAStep() {
        // quantize_row_q8_0_ref: d = amax/127, q = round(x/d), d stored as fp16. Rounding costs at
        // most d/2; storing d as fp16 moves it by <= d*2^-11 (half an ulp), which |q| <= 127 scales to
        // 127*d*2^-11; float rounding of x*(1/d) and of q*d adds a few ulps of a value <= 127, bounded
        // by d*2^-15. A subnormal fp16 d is off by at most 2^-25 absolute instead: 127*2^-25.
        double worst = checkAgainstF32("tiny-llama-q8_0.gguf", GgmlType.Q8_0, (v, from, to, i) -> {
            double d = absMax(v, from, to) / 127;
            return d * (0.5 + 127 * 0x1p-11 + 0x1p-15) + 127 * 0x1p-25;
        });
        System.out.printf("Q8_0 worst error / bound = %.3f%n", worst);
    }

    @Test
    void q4_0IsWithinOneStep() {
        // quantize_row_q4_0_ref: d = max/-8 for the value of largest magnitude, q = min(15, (int)(x/d + 8.5)).
        // That rounds to nearest (d/2) except at the far end, where x/d in (7.5, 8] is clamped to 7:
        // up to a full step |d| = amax/8. The fp16 d adds |q - 8| <= 8 times its half-ulp (8*|d|*2^-11),
        // float rounding a few ulps of 8|d| (|d|*2^-15); a subnormal fp16 d: 8*2^-25 absolute.
        double worst = checkAgainstF32("tiny-llama-q4_0.gguf", GgmlType.Q4_0, (v, from, to, i) -> {
            double d = absMax(v, from, to) / 8;
            return d * (1 + 8 * 0x1p-11 + 0x1p-15) + 8 * 0x1p-25;
        });
        System.out.printf("Q4_0 worst error / bound = %.3f%n", worst);
    }

    /** The fast dot on real weights, a few rows of every computable tensor of every fixture. */
    @Test
    void dotOnRealRowsAgreesWithDequantizedDot() {
        String[] names = {"tiny-llama-f32.gguf", "tiny-llama-f16.gguf", "tiny-llama-q8_0.gguf", "tiny-llama-q4_0.gguf",
                "small-llama-q4_k_m.gguf", "small-llama-q5_k_m.gguf", "small-llama-q6_k.gguf"};
        java.util.Random r = new java.util.Random(3);
        for (String name : names) {
            try (GgufFile f = GgufFile.open(Fixtures.model(name))) {
                for (TensorInfo info : f.tensors()) {
                    Tensor t = Tensor.of(f, info);
                    float[] x = CodecPropertyTest.randomX(t.cols() + 1, r);
                    float[] w = new float[t.cols()];
                    for (int row = 0; row < Math.min(t.rows(), 8); row++) {
                        t.dequantizeRow(row, w, 0);
                        DotCheck.assertAgrees(t.codec(), t.data(), row * t.rowBytes(), w, x, 1, name + " " + info + " row " + row);
                    }
                }
            }
        }
    }

    /**
     * Our encoders mirror ggml's reference quantizers, so quantizing the F32 weights must give the
     * very bytes llama-quantize wrote (--pure, no importance matrix: the _ref paths).
     */
    @Test
    void quantizersReproduceLlamaQuantizeByteForByte() {
        for (String name : new String[] {"tiny-llama-f16.gguf", "tiny-llama-q8_0.gguf", "tiny-llama-q4_0.gguf"}) {
            int tensors = 0;
            try (GgufFile q = GgufFile.open(Fixtures.model(name))) {
                for (TensorInfo t : q.tensors()) {
                    if (t.type() == GgmlType.F32) continue;
                    float[] original = decode(f32, f32.tensor(t.name()));
                    byte[] bytes = new byte[Math.toIntExact(t.byteSize())];
                    dev.loupe.core.quant.Quantizers.create(t.type()).quantize(original, 0, original.length, bytes, 0);
                    java.lang.foreign.MemorySegment ours = java.lang.foreign.MemorySegment.ofArray(bytes);
                    long mismatch = ours.mismatch(q.tensorData(t));
                    assertThat(mismatch).as("%s %s: first differing byte", name, t).isEqualTo(-1L);
                    tensors++;
                }
            }
            assertThat(tensors).isGreaterThan(0);
        }
    }

    static final String[] K_FILES = {"small-llama-q4_k_m.gguf", "small-llama-q5_k_m.gguf", "small-llama-q6_k.gguf"};

    @Test
    void kQuantFilesDecodeToFiniteValuesAndAgreeAcrossFormats() {
        List<GgufFile> files = new ArrayList<>();
        try {
            for (String k : K_FILES) files.add(GgufFile.open(Fixtures.model(k)));
            GgufFile q6 = files.get(2);
            int compared = 0;
            for (TensorInfo t6 : q6.tensors()) {
                if (t6.type() == GgmlType.F32) continue;
                float[] fine = decode(q6, t6);
                assertFinite(q6, t6, fine);
                for (GgufFile other : files.subList(0, 2)) {
                    TensorInfo t = other.tensor(t6.name());
                    float[] coarse = decode(other, t);
                    assertFinite(other, t, coarse);
                    compared += compareK(other, t, coarse, t6, fine);
                }
            }
            assertThat(compared).isGreaterThan(0);
        } finally {
            files.forEach(GgufFile::close);
        }
    }

    static void assertFinite(GgufFile f, TensorInfo t, float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) throw new AssertionError(f.path().getFileName() + " " + t.name() + " value " + i + " = " + v[i]);
        }
    }

    /**
     * Allowed error of a K-quant per super-block of 256 values whose magnitudes are at most A. A
     * b-bit grid spanning a sub-block range of at most 2A has a step of at most 2A/(2^b - 1)
     * (Q6_K: symmetric, 64 levels over [-A, A], step A/32), so nearest rounding errs by half a step.
     * The sub-block scales and mins are themselves rounded to 6 or 8 bits, which can clamp the end
     * values and shift the grid; we allow a full step for that, i.e. twice the rounding error.
     */
    static double kBound(GgmlType type, double a) {
        return switch (type) {
            case Q4_K -> 2 * a / 15;
            case Q5_K -> 2 * a / 31;
            case Q6_K -> a / 32;
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    static int compareK(GgufFile f, TensorInfo t, float[] coarse, TensorInfo t6, float[] fine) {
        assertThat(coarse).hasSameSizeAs(fine);
        double worst = 0;
        for (int b = 0; b < fine.length; b += 256) {
            // The original's magnitude is unknown; the finer decode's block max is within its own
            // bound of it, so A = max * (1 + 1/32) covers it.
            double a = absMax(fine, b, b + 256) * (1 + 1.0 / 32);
            double allowed = kBound(t.type(), a) + kBound(t6.type(), a);
            for (int i = b; i < b + 256; i++) {
                double err = Math.abs((double) coarse[i] - fine[i]);
                if (!(err <= allowed)) {
                    throw new AssertionError(f.path().getFileName() + " " + t.name() + " (" + t.type() + ") value " + i
                            + ": " + coarse[i] + " vs Q6_K " + fine[i] + ", error " + err + " > allowed " + allowed);
                }
                worst = Math.max(worst, err / allowed);
            }
        }
        System.out.printf("%s %s %s vs Q6_K: worst error / bound = %.3f%n", f.path().getFileName(), t.name(), t.type(), worst);
        return 1;
    }
}
