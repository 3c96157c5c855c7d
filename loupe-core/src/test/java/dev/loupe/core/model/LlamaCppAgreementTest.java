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
 * Logit tolerance is relative to each position's logit range (max - min). Where Loupe mirrors llama.cpp's
 * arithmetic (F32 weights, F16-rounded K/V and Q·K operands) the remaining differences come from float
 * summation order (about 1e-7 of the range), except that such a 1-ulp difference occasionally lands a K or V
 * value on the other side of an F16 rounding boundary; that one cache element then moves by 2^-11 of itself,
 * which shows as steps of up to ~3e-4 of the range at later positions (measured on the generated models).
 * So F32 models are held to 1e-3, the bound the issue sets. For quantized weights
 * llama.cpp also quantizes the activations (to Q8_0 or Q8_K) before its integer dot products, and those
 * rounding errors (up to 1/254 of each activation block's max) are what the looser bounds cover.
 *
 * Greedy ids must match up to the first step whose recorded top-1/top-2 margin is below
 * {@code marginTolerance}: with logits this close, a different but equally correct rounding may choose
 * the other token. The margin tolerance is a few times the largest logit error the type allows.
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
            "tiny-llama-f32, 1e-3, 0.05",
            "tiny-llama-f16, 5e-2, 0.05",
            "tiny-llama-q8_0, 5e-2, 0.05",
            "tiny-llama-q4_0, 5e-2, 0.05",
            "tiny-qwen2-f16, 5e-2, 0.05",
            "tiny-qwen3-f16, 5e-2, 0.05",
            "small-llama-q4_k_m, 5e-2, 0.05",
            "small-llama-q5_k_m, 5e-2, 0.05",
            "small-llama-q6_k, 5e-2, 0.05",
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
        check(file, Reference.loadGenerated(name), relTol, marginTolerance);
    }

    private static void check(Path file, Reference ref, double relTol, double marginTolerance) {
        try (Model model = Model.load(file)) {
            assertThat(model.config().vocabSize()).isEqualTo(ref.vocab());
            checkLogits(model, ref, relTol);
            for (Reference.Prompt p : ref.prompts()) checkGreedy(model, p, marginTolerance);
        }
    }

    private static void checkLogits(Model model, Reference ref, double relTol) {
        int[] ids = ref.prompts().getFirst().promptIds();
        int n = ref.vocab();
        assertThat(ref.firstPromptLogits()).hasSize(ids.length * n);
        try (Session s = new Session(model, 256, pool)) {
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

    private static void checkGreedy(Model model, Reference.Prompt p, double marginTolerance) {
        try (Session s = new Session(model, 256, pool)) {
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
