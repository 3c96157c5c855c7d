package dev.loupe.core.model;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gen.ModelGenerator;
import dev.loupe.core.gen.ModelShape;
import dev.loupe.core.gguf.Metadata;
import dev.loupe.core.gguf.MetadataValue;
import dev.loupe.core.gguf.ValueType;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * RoPE context extension: the angle and magnitude formulas against values worked out by hand from the papers'
 * definitions, metadata parsing as llama.cpp reads it, and whole-model logits and greedy tokens against llama.cpp
 * run with the same scaling (references in src/test/resources/reference, see the README there).
 */
class RopeScalingTest {
    private static final int D = 16;
    private static final float BASE = 10000f;

    /** cos and sin (times the magnitude) of every pair at {@code pos}, read back by rotating the unit vector (1, 0). */
    private static float[][] angles(RopeScaling s, int pos) {
        Rope rope = new Rope(config(s), null);
        rope.setPosition(pos);
        float[] x = new float[D];
        for (int i = 0; i < D; i += 2) x[i] = 1f;
        rope.apply(x, 0, 1, D);
        float[][] out = new float[2][D / 2];
        for (int i = 0; i < D / 2; i++) {
            out[0][i] = x[2 * i];
            out[1][i] = x[2 * i + 1];
        }
        return out;
    }

    private static ModelConfig config(RopeScaling s) {
        return new ModelConfig(Architecture.of("llama"), 64, 1, 4, 4, D, D, 128, 100, 512, 1e-5f, BASE, D, s,
                0.25f, 0f, 0f, 0);
    }

    /** The unscaled angle of pair i at position p: p * base^(-2i/d) (Su et al.). */
    private static double theta(int p, int i, double base) {
        return p * Math.pow(base, -2.0 * i / D);
    }

    private static void assertAngles(float[][] got, double[] want, double magnitude) {
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[0][i]).as("cos of pair %d", i).isCloseTo(magnitude * Math.cos(want[i]), within(2e-5));
            assertThat((double) got[1][i]).as("sin of pair %d", i).isCloseTo(magnitude * Math.sin(want[i]), within(2e-5));
        }
    }

    @Test
    void linearScalingDividesEveryAngleByTheFactor() {
        int p = 37;
        double[] want = new double[D / 2];
        for (int i = 0; i < want.length; i++) want[i] = theta(p, i, BASE) / 4; // Chen et al.: position p acts as p/s
        assertAngles(angles(RopeScaling.of(RopeScaling.Type.LINEAR, 4f, 512), p), want, 1.0);
    }

    @Test
    void ntkRaisesTheBaseSoTheFastestPairKeepsItsFrequencyAndTheSlowestIsInterpolated() {
        RopeScaling ntk = RopeScaling.of(RopeScaling.Type.NTK, 4f, 512);
        // bloc97: base' = base * s^(d/(d-2)) = 10000 * 4^(16/14) = 48760.546... (by hand: 4^(8/7) = 4.8760546).
        assertThat((double) ntk.base(BASE, D)).isCloseTo(48760.546, within(0.01));
        assertThat(ntk.freqScale()).isEqualTo(1f);
        int p = 100;
        double[] want = new double[D / 2];
        for (int i = 0; i < want.length; i++) want[i] = theta(p, i, 48760.546168);
        float[][] got = angles(ntk, p);
        assertAngles(got, want, 1.0);
        // Pair 0 turns as if unscaled; the slowest pair (i = d/2 - 1) turns exactly s times slower.
        assertThat(want[0]).isEqualTo(theta(p, 0, BASE));
        assertThat(want[D / 2 - 1]).isCloseTo(theta(p, D / 2 - 1, BASE) / 4, within(1e-9));
    }

    @Test
    void yarnCorrectionRangeAndMagnitudeByHand() {
        RopeScaling yarn = RopeScaling.of(RopeScaling.Type.YARN, 4f, 256);
        // Pair i turns L / (2 pi base^(2i/d)) times over the original context L. Solving for the pair that turns beta
        // times: i = d ln(L / (2 pi beta)) / (2 ln base).
        // beta_fast 32: 16 ln(256 / 201.06) / 18.4207 = 16 * 0.24156 / 18.4207 = 0.2098 -> floor 0.
        // beta_slow 1:  16 ln(256 / 6.2832) / 18.4207 = 16 * 3.70727 / 18.4207 = 3.2201 -> ceil 4.
        assertThat(yarn.correctionDims(D, BASE)).containsExactly(0f, 4f);
        // Peng et al. eq. 22 (sqrt(1/t) = 0.1 ln s + 1): 0.1 ln 4 + 1 = 1.1386294.
        assertThat((double) yarn.magnitude()).isCloseTo(1.1386294, within(1e-6));
        // Larger original context moves the range up: L = 4096 gives 16 ln(20.372)/18.4207 = 2.618 -> 2 and
        // 16 ln(651.90)/18.4207 = 5.6285 -> 6.
        assertThat(RopeScaling.of(RopeScaling.Type.YARN, 4f, 4096).correctionDims(D, BASE)).containsExactly(2f, 6f);
        assertThat(RopeScaling.NONE.magnitude()).isEqualTo(1f);
        assertThat(RopeScaling.of(RopeScaling.Type.LINEAR, 4f, 256).magnitude()).isEqualTo(1f);
    }

    @Test
    void yarnRampsFromExtrapolatedToInterpolatedAcrossTheCorrectionRange() {
        RopeScaling yarn = RopeScaling.of(RopeScaling.Type.YARN, 4f, 256);
        int p = 300;
        // Range [0, 4]: ramp(i) = 1 - clamp(i / 4) is the share of the unscaled angle; the rest is the angle / 4.
        double[] mix = {1, 0.75, 0.5, 0.25, 0, 0, 0, 0};
        double[] want = new double[D / 2];
        for (int i = 0; i < want.length; i++) {
            double t = theta(p, i, BASE);
            want[i] = t * mix[i] + t / 4 * (1 - mix[i]);
        }
        assertAngles(angles(yarn, p), want, 1 + 0.1 * Math.log(4));
    }

    @Test
    void metadataIsReadAsLlamaCppReadsIt() {
        Map<String, MetadataValue> m = new LinkedHashMap<>();
        m.put("llama.rope.scaling.type", MetadataValue.of(ValueType.STRING, "yarn"));
        m.put("llama.rope.scaling.factor", MetadataValue.of(ValueType.FLOAT32, 8f));
        m.put("llama.rope.scaling.original_context_length", MetadataValue.of(ValueType.UINT32, 8192));
        m.put("llama.rope.scaling.attn_factor", MetadataValue.of(ValueType.FLOAT32, 0.5f));
        m.put("llama.rope.scaling.yarn_beta_fast", MetadataValue.of(ValueType.FLOAT32, 16f));
        RopeScaling s = RopeScaling.fromMetadata(new Metadata(m), "llama.", 2048);
        assertThat(s).isEqualTo(new RopeScaling(RopeScaling.Type.YARN, 8f, 8192, -1f, 0.5f, 16f, 1f, 0f));
        assertThat(s.freqScale()).isEqualTo(0.125f);
        assertThat(s.effectiveExtFactor()).isEqualTo(1f);
        assertThat(s.extendedContext(2048)).isEqualTo(65536);

        // No type but a factor: llama.cpp's default type is linear; the original context defaults to the trained one.
        Map<String, MetadataValue> old = Map.of("llama.rope.scale_linear", MetadataValue.of(ValueType.FLOAT32, 2f));
        assertThat(RopeScaling.fromMetadata(new Metadata(old), "llama.", 2048)).isEqualTo(RopeScaling.of(RopeScaling.Type.LINEAR, 2f, 2048));
        assertThat(RopeScaling.fromMetadata(new Metadata(Map.of()), "llama.", 2048).isNone()).isTrue();

        Map<String, MetadataValue> bad = Map.of("llama.rope.scaling.type", MetadataValue.of(ValueType.STRING, "longrope"));
        assertThatThrownBy(() -> RopeScaling.fromMetadata(new Metadata(bad), "llama.", 2048))
                .isInstanceOf(LoupeException.class).hasMessageContaining("longrope");
    }

    /**
     * The generated {@code tiny} model (the one llama.cpp ran, proven by its hash) under scaling given at run time,
     * as {@code --rope-scaling yarn --rope-scale 4 --yarn-orig-ctx 256} and as NTK (llama.cpp: {@code --rope-freq-base}
     * set to the raised base), against llama.cpp's logits and greedy tokens. The logit bound is the fixtures' 4e-4 of
     * the range (see LlamaCppAgreementTest); measured: YaRN 2.5e-5, NTK 2.7e-6. Dropping YaRN's magnitude measured
     * 0.18, and linear in place of NTK 0.77, so the bound separates right from wrong by orders of magnitude.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "tiny-llama-yarn4-f32, YARN, 4, 256",
            "tiny-llama-ntk4-f32, NTK, 4, 512",
    })
    void wholeModelMatchesLlamaCpp(String name, RopeScaling.Type type, float factor, int orig, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.gguf");
        new ModelGenerator(ModelShape.preset("tiny"), GgmlType.F32, 7, null, 0).write(file, "loupe-generated", null);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))))
                .isEqualTo("601b0c94c2dc5d289e24bbf0ee6e427f28bac5fdd962e6d6de8471f359df9671");
        Reference ref = Reference.loadGenerated(name);
        try (Model model = Model.load(file, List.of(), fromFile -> RopeScaling.of(type, factor, orig))) {
            LlamaCppAgreementTest.check(model, ref, 4e-4, 0.05);
        }
        // And the scaling matters: unscaled, the model continues the first prompt differently.
        try (Model plain = Model.load(file); Session s = new Session(plain, 64, (dev.loupe.core.parallel.ThreadPool) null)) {
            Reference.Prompt p = ref.prompts().getFirst();
            int[] greedy = new int[p.greedyIds().length];
            float[] logits = s.prefill(p.promptIds());
            for (int i = 0; i < greedy.length; i++) {
                greedy[i] = LlamaCppAgreementTest.argmax(logits);
                if (i + 1 < greedy.length) logits = s.forward(greedy[i], true);
            }
            assertThat(greedy).isNotEqualTo(p.greedyIds());
        }
    }
}
