package dev.loupe.lens;

import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.HookSite;
import dev.loupe.core.hook.Hooks;
import dev.loupe.core.model.Session;
import dev.loupe.core.tensor.Tensor;
import dev.loupe.lens.cache.ActivationCache;
import dev.loupe.lens.cache.CachedActivation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The hook points against llama.cpp's logits and against the invariants TransformerLens users rely on. */
class HookInvariantsTest extends FixtureModelTest {
    @Test
    void everyPositionsLogitsMatchLlamaCpp() throws IOException {
        int V = model.config().vocabSize();
        byte[] raw = Files.readAllBytes(TestModels.reference("tiny-llama-f32.logits.f32"));
        float[] ref = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(ref);
        assertThat(ref).hasSize(PROMPT.length * V);
        // Every hook point cached: reading must not disturb the pass (pattern hooks take the two-pass path).
        float[] logits = hm.runWithCache(PROMPT, n -> true).logits();
        float range = 0;
        for (float r : ref) range = Math.max(range, Math.abs(r));
        for (int i = 0; i < ref.length; i++) assertThat(logits[i]).isCloseTo(ref[i], within(1e-4f * range));
    }

    @Test
    void readingHooksChangeNothingAndAgreeWithSessionPrefill() {
        float[] plain = hm.run(PROMPT);
        float[] cached = hm.runWithCache(PROMPT, n -> true).logits();
        assertThat(cached).isEqualTo(plain);
        try (Session s = new Session(model, 16, pool)) {
            float[] last = s.prefill(PROMPT);
            int V = model.config().vocabSize();
            for (int i = 0; i < V; i++) assertThat(last[i]).isEqualTo(plain[(PROMPT.length - 1) * V + i]);
        }
    }

    @Test
    void residualStreamAddsUp() {
        ActivationCache c = hm.runWithCache(PROMPT, n -> true).cache();
        int L = model.config().layers(), d = model.config().dim();
        // hook_embed is the embedding row of each token.
        float[] row = new float[d];
        for (int p = 0; p < PROMPT.length; p++) {
            model.weights().tokenEmbedding().dequantizeRow(PROMPT[p], row, 0);
            assertThat(c.get("hook_embed").row(p)).isEqualTo(row);
        }
        for (int l = 0; l < L; l++) {
            float[] pre = c.get("blocks." + l + ".hook_resid_pre").data();
            float[] mid = c.get("blocks." + l + ".hook_resid_mid").data();
            float[] post = c.get("blocks." + l + ".hook_resid_post").data();
            float[] attn = c.get("blocks." + l + ".hook_attn_out").data();
            float[] mlp = c.get("blocks." + l + ".hook_mlp_out").data();
            for (int i = 0; i < pre.length; i++) {
                assertThat(mid[i]).isEqualTo(pre[i] + attn[i]);
                assertThat(post[i]).isEqualTo(mid[i] + mlp[i]);
            }
            if (l + 1 < L) assertThat(c.get("blocks." + (l + 1) + ".hook_resid_pre").data()).isEqualTo(post);
        }
    }

    @Test
    void patternsAreCausalDistributions() {
        ActivationCache c = hm.runWithCache(PROMPT, n -> n.endsWith("hook_pattern")).cache();
        int T = PROMPT.length, H = model.config().heads();
        assertThat(c.names()).hasSize(model.config().layers());
        CachedActivation p = c.get("blocks.1.attn.hook_pattern");
        assertThat(p.shape()).containsExactly(H, T, T);
        for (int h = 0; h < H; h++) {
            for (int q = 0; q < T; q++) {
                double sum = 0;
                for (int k = 0; k < T; k++) {
                    float v = p.data()[(h * T + q) * T + k];
                    if (k > q) assertThat(v).isZero();
                    sum += v;
                }
                assertThat(sum).isCloseTo(1.0, within(2e-3)); // probabilities are F16-rounded, as llama.cpp uses them
            }
        }
        assertThat(p.data()[0]).isEqualTo(1f); // the first token can only attend to itself
    }

    @Test
    void patchingARunWithItsOwnCacheChangesNothing() {
        var clean = hm.runWithCache(PROMPT, n -> true);
        Hooks hooks = hm.newHooks();
        // Overwrite every activation with its cached value (and fill the pattern from the cache as well).
        for (String name : clean.cache().names()) {
            CachedActivation a = clean.cache().get(name);
            if (name.endsWith("hook_pattern")) {
                int T = PROMPT.length;
                hooks.add(name, (pt, t) -> {
                    for (int r = 0; r < t.rows(); r++)
                        for (int h = 0; h < t.heads(); h++)
                            System.arraycopy(a.data(), (h * T + t.position(r)) * T, t.data(), t.offset(r) + h * t.headWidth(), T);
                });
            } else {
                hooks.add(name, (pt, t) -> {
                    for (int r = 0; r < t.rows(); r++) System.arraycopy(a.data(), t.position(r) * t.width(), t.data(), t.offset(r), t.width());
                });
            }
        }
        assertThat(hm.runWithHooks(PROMPT, hooks)).isEqualTo(clean.logits());
    }

    @Test
    void zeroAblatingAHeadRemovesExactlyItsTermFromTheResidual() {
        int layer = 1, head = 2, vd = model.config().valueDim(), d = model.config().dim(), T = PROMPT.length;
        var clean = hm.runWithCache(PROMPT, n -> true);
        Hooks ablate = hm.newHooks().add(HookPoint.of(HookSite.ATTN_Z, layer), (pt, t) -> {
            for (int r = 0; r < t.rows(); r++) java.util.Arrays.fill(t.data(), t.offset(r) + head * vd, t.offset(r) + (head + 1) * vd, 0f);
        });
        ActivationCache ablated = hm.runWithCache(PROMPT, n -> n.startsWith("blocks." + layer + "."), ablate).cache();
        // Independent reference: the head's term W_O[:, head] · z_head, computed here in double from the weights.
        Tensor wo = model.weights().layers()[layer].wo();
        float[] z = clean.cache().get("blocks." + layer + ".attn.hook_z").data();
        float[] mid = clean.cache().get("blocks." + layer + ".hook_resid_mid").data();
        float[] got = ablated.get("blocks." + layer + ".hook_resid_mid").data();
        float[] w = new float[wo.cols()];
        double maxTerm = 0;
        for (int p = 0; p < T; p++) {
            for (int r = 0; r < d; r++) {
                wo.dequantizeRow(r, w, 0);
                double term = 0;
                for (int i = 0; i < vd; i++) term += (double) w[head * vd + i] * z[p * wo.cols() + head * vd + i];
                maxTerm = Math.max(maxTerm, Math.abs(term));
                assertThat((double) got[p * d + r]).isCloseTo(mid[p * d + r] - term, within(1e-5));
            }
        }
        assertThat(maxTerm).isGreaterThan(1e-3); // the head did contribute something, so the check has teeth
        // Earlier layers are untouched.
        assertThat(ablated.get("blocks." + layer + ".hook_resid_pre").data()).isEqualTo(clean.cache().get("blocks." + layer + ".hook_resid_pre").data());
    }

    @Test
    void logitLensAtTheFinalLayerIsTheModelsLogits() {
        int L = model.config().layers();
        var run = hm.runWithCache(PROMPT, n -> n.equals("blocks." + (L - 1) + ".hook_resid_post"));
        float[] lens = hm.unembed(run.cache().get("blocks." + (L - 1) + ".hook_resid_post").data(), PROMPT.length);
        assertThat(lens).isEqualTo(run.logits());
    }

    @Test
    void hookNamesRoundTrip() {
        for (HookPoint p : HookPoint.all(3)) assertThat(HookPoint.parse(p.name())).isEqualTo(p);
        assertThat(HookPoint.parse("blocks.2.attn.hook_z")).isEqualTo(HookPoint.of(HookSite.ATTN_Z, 2));
        assertThat(HookPoint.parse("ln_final.hook_normalized").site()).isEqualTo(HookSite.LN_FINAL);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HookPoint.parse("blocks.x.hook_resid_pre"))
                .isInstanceOf(dev.loupe.core.LoupeException.class).hasMessageContaining("unknown hook point");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> hm.newHooks().add("blocks.9.hook_resid_pre", (p, t) -> { }))
                .isInstanceOf(dev.loupe.core.LoupeException.class).hasMessageContaining("past the model's 2 layers");
    }
}
