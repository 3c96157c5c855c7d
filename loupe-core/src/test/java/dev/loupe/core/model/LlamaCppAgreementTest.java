package dev.loupe.core.model;

import dev.loupe.core.Fixtures;
import dev.loupe.core.parallel.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import dev.loupe.core.gen.ModelGenerator;
import dev.loupe.core.gen.ModelShape;
import dev.loupe.core.tensor.GgmlType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forward pass against llama.cpp's recorded logits and greedy continuations for every fixture model.
 *
 * Logit tolerance is relative to each position's logit range (max - min). Loupe mirrors llama.cpp's CPU
 * arithmetic: F32 weights in float; F16/BF16 weights against activations rounded to that type; quantized
 * weights against activations quantized to the weight's vec_dot_type (Q8_0, Q8_1 or Q8_K, as the AVX2
 * from_float does) with exact integer block sums; F16-rounded K/V and Q·K operands. What remains is float
 * summation order (about 1e-7 of the range), except that such a 1-ulp difference occasionally lands a K or V
 * value on the other side of an F16 rounding boundary; that one cache element then moves by 2^-11 of itself,
 * which shows as steps of up to ~3e-4 of the range at later positions (measured on the generated models),
 * or, likewise, an activation on the other side of an int8 rounding boundary (see the K models below).
 * Each fixture bound is the measured maximum (in the comment) with a few times headroom, so a regression
 * such as going back to float activations (measured 1e-2..3e-2 for the quantized models, 5e-4..1e-3 for F16)
 * fails loudly.
 *
 * Greedy ids must match up to the first step whose recorded top-1/top-2 margin is below
 * {@code marginTolerance}: with logits this close, a different but equally correct rounding may choose
 * the other token. Where logits agree to ~1e-7 of a ~100-wide range (~1e-5 absolute), 1e-3 is ample.
 */
class LlamaCppAgreementTest {
    private static ThreadPool pool;

    @BeforeAll
    static void start() {
        pool = new ThreadPool(2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // Bounds: 4e-4 sits above the F16 K/V rounding-flip steps (~3e-4, above) and below what float
            // activations measured (F16 5e-4..1e-3, quantized 1e-2..3e-2). Measured maxima after the batched prefill:
            "tiny-llama-f32, 4e-4, 1e-3",      // 1.5e-7
            "tiny-llama-f16, 4e-4, 1e-3",      // 1.5e-5 (8.6e-8 before batched prefill: a K/V F16 flip)
            "tiny-llama-q8_0, 4e-4, 1e-3",     // 8.6e-8
            "tiny-llama-q4_0, 4e-4, 1e-3",     // 6.4e-8
            "tiny-qwen2-f16, 4e-4, 1e-3",      // 2.8e-4 (steps at single positions: K/V F16 flips)
            "tiny-qwen3-f16, 4e-4, 1e-3",      // 7.9e-8
            // The K models' greedy margins: rounding an activation to int8 is discontinuous, so a 1-ulp difference
            // anywhere upstream (llama.cpp's own expf/silu, rms_norm summed in double, its summation orders) can
            // move one Q8_K quant by a step, and in these random-weight models one step moves the logits by up to
            // ~0.3% of their range. Observed: changing only our own float summation order (same integer sums)
            // moved the first greedy divergence between steps with recorded margins 0.19, 0.26 and 0.27.
            "small-llama-q4_k_m, 4e-4, 0.3",   // 2.1e-7
            "small-llama-q5_k_m, 4e-4, 0.3",   // 1.9e-7
            // Positions 0..4 agree to 1.8e-7; the last prompt position measures 1.5e-2, unchanged by our float
            // order. Flipping the nearest Q8_K tie we can see there moved it to 1.8e-2, so a single upstream
            // flip explains the size; which one llama.cpp flipped is not yet identified.
            "small-llama-q6_k, 2e-2, 0.3",
    })
    void fixtureModelsMatch(String name, double relTol, double marginTolerance) throws Exception {
        check(Fixtures.model(name + ".gguf"), Reference.load(name), relTol, marginTolerance);
    }

    /**
     * Architectures no fixture ships (see src/test/resources/reference/README.md): the model is regenerated
     * here, byte-identical to the one llama.cpp ran (the hash proves it), then compared the same way.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "tiny-gemma2-f32, tiny-gemma2, 4, 0, false, 570aaffebb1fd8be2fa55a42eaa671e4aac7c63360170ad50d3846291c2d3c2d, 1e-3, 0.05",
            "tiny-phi3-f32, tiny-phi3, 0, 0, false, 43867e8cf748adaf22b745b7ac483bf542f8e4b1636be636e3aa22c16bb6a42e, 1e-3, 0.05",
            "tiny-llama-ropescaled-f32, tiny, 0, 4, true, dcca9900518c79328684680c562e0d3e4046a835e8e11ab1a5cf37e416c6008a, 1e-3, 0.05",
    })
    void generatedModelsMatch(String name, String preset, int window, float ropeLinear, boolean ropeFreqs, String sha256,
                              double relTol, double marginTolerance, @TempDir Path dir) throws Exception {
        Path file = dir.resolve(name + ".gguf");
        new ModelGenerator(ModelShape.preset(preset), GgmlType.F32, 7, null, window, ropeLinear, ropeFreqs)
                .write(file, "loupe-generated", null);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))))
                .as("generated %s must be the file the reference was made from", name).isEqualTo(sha256);
        Reference ref = Reference.loadGenerated(name);
        try (dev.loupe.core.gguf.GgufFile f = dev.loupe.core.gguf.GgufFile.open(file)) {
            // llama.cpp tokenized the prompts with this file's (Loupe's own) vocabulary; ours must agree.
            dev.loupe.core.tokenizer.Tokenizer tok = dev.loupe.core.tokenizer.Tokenizer.fromMetadata(f.metadata());
            for (Reference.Prompt p : ref.prompts()) assertThat(tok.encode(p.text(), true, false)).as(p.text()).containsExactly(p.promptIds());
        }
        check(file, ref, relTol, marginTolerance);
    }

    private static void check(Path file, Reference ref, double relTol, double marginTolerance) {
        try (Model model = Model.load(file)) {
            check(model, ref, relTol, marginTolerance);
        }
    }

    /** Logits of the first prompt and greedy continuations of every prompt against {@code ref}. */
    static void check(Model model, Reference ref, double relTol, double marginTolerance) {
        check(model, ref, relTol, marginTolerance, KvFormat.DEFAULT);
    }

    /** As {@link #check(Model, Reference, double, double)}, with the KV cache stored as {@code kv}. */
    static void check(Model model, Reference ref, double relTol, double marginTolerance, KvFormat kv) {
        assertThat(model.config().vocabSize()).isEqualTo(ref.vocab());
        checkLogits(model, ref, relTol, kv);
        for (Reference.Prompt p : ref.prompts()) checkGreedy(model, p, marginTolerance, kv);
    }

    private static void checkLogits(Model model, Reference ref, double relTol, KvFormat kv) {
        int[] ids = ref.prompts().getFirst().promptIds();
        int n = ref.vocab();
        assertThat(ref.firstPromptLogits()).hasSize(ids.length * n);
        try (Session s = new Session(model, 256, pool, kv)) {
            for (int t = 0; t < ids.length; t++) {
                float[] logits = s.forward(ids[t], true);
                float min = Float.MAX_VALUE, max = -Float.MAX_VALUE, worst = 0;
                for (int i = 0; i < n; i++) {
                    float r = ref.firstPromptLogits()[t * n + i];
                    min = Math.min(min, r);
                    max = Math.max(max, r);
                    worst = Math.max(worst, Math.abs(r - logits[i]));
                }
                assertThat((double) worst / (max - min))
                        .as("max |logit - llama.cpp| / range at position %d of %s", t, ref.model())
                        .isLessThanOrEqualTo(relTol);
            }
        }
    }

    private static void checkGreedy(Model model, Reference.Prompt p, double marginTolerance, KvFormat kv) {
        try (Session s = new Session(model, 256, pool, kv)) {
            float[] logits = s.prefill(p.promptIds());
            for (int step = 0; step < p.greedyIds().length; step++) {
                int next = argmax(logits);
                if (next != p.greedyIds()[step]) {
                    assertThat(p.margins()[step])
                            .as("step %d of '%s': Loupe chose %d, llama.cpp %d, with a recorded margin of %f",
                                    step, p.text(), next, p.greedyIds()[step], p.margins()[step])
                            .isLessThan((float) marginTolerance);
                    return; // past a near-tie the two engines may legitimately diverge
                }
                logits = s.forward(next, true);
            }
        }
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
