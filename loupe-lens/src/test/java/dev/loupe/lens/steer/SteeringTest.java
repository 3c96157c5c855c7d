package dev.loupe.lens.steer;

import dev.loupe.core.LoupeException;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.HookSite;
import dev.loupe.core.hook.Hooks;
import dev.loupe.core.hook.Steering;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.cache.ActivationCache;
import dev.loupe.lens.sae.SaeFile;
import dev.loupe.lens.sae.SparseAutoencoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Steering vectors on the random-weight tiny Llama fixture: exact arithmetic, what is left alone, files, the sweep. */
class SteeringTest {
    /** "The capital of France is" with BOS. */
    static final int[] PROMPT = {1, 450, 7483, 310, 3444, 338};
    static Model model;
    static ThreadPool pool;
    static HookedModel hm;
    static int d, layers;

    @BeforeAll
    static void load() {
        model = Model.load(Path.of(System.getProperty("loupe.shared"), "fixtures/models/tiny-llama-f32.gguf"));
        pool = new ThreadPool(2);
        hm = new HookedModel(model, pool);
        d = model.config().dim();
        layers = model.config().layers();
    }

    @AfterAll
    static void close() {
        pool.close();
        model.close();
    }

    static float[] randomVector(long seed) {
        Random r = new Random(seed);
        float[] v = new float[d];
        for (int i = 0; i < d; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    static SteeringVector vector(String hook, long seed) {
        return new SteeringVector(HookPoint.parse(hook), randomVector(seed), "tiny-llama-f32", Map.of());
    }

    static Hooks steer(SteeringVector v, float coef) {
        return Steering.of(List.of(v.term(coef))).install(hm.newHooks());
    }

    @Test
    void coefficientZeroIsABitExactNoOp() {
        float[] plain = hm.run(PROMPT);
        for (String hook : List.of("blocks.0.hook_resid_pre", "blocks.1.hook_resid_post", "hook_embed")) {
            assertThat(hm.runWithHooks(PROMPT, steer(vector(hook, 3), 0f))).as(hook).isEqualTo(plain);
        }
        // and a non-zero coefficient does change the logits, so the hook really runs
        assertThat(hm.runWithHooks(PROMPT, steer(vector("blocks.1.hook_resid_pre", 3), 2f))).isNotEqualTo(plain);
    }

    @Test
    void steeredResidualIsCleanPlusCoefTimesVectorAndEarlierLayersAreUntouched() {
        int L = 1;
        float coef = 3.5f;
        SteeringVector v = vector("blocks." + L + ".hook_resid_pre", 7);
        ActivationCache clean = hm.runWithCache(PROMPT, n -> true).cache();
        // The cache's recorders are added after the steering hook, so they read the steered buffer (a second hook).
        ActivationCache steered = hm.runWithCache(PROMPT, n -> true, steer(v, coef)).cache();
        float[] c = clean.get("blocks." + L + ".hook_resid_pre").data();
        float[] s = steered.get("blocks." + L + ".hook_resid_pre").data();
        for (int p = 0; p < PROMPT.length; p++) {
            for (int i = 0; i < d; i++) assertThat(s[p * d + i]).isEqualTo(c[p * d + i] + coef * v.vector()[i]);
        }
        // Everything the forward pass computes before the steered point is bit-identical.
        for (HookPoint point : HookPoint.all(layers)) {
            boolean before = point.site() == HookSite.EMBED || point.layer() >= 0 && point.layer() < L;
            if (before) assertThat(steered.get(point.name()).data()).as(point.name()).isEqualTo(clean.get(point.name()).data());
        }
        // ... and what comes after sees the change.
        assertThat(steered.get("blocks." + L + ".hook_resid_post").data()).isNotEqualTo(clean.get("blocks." + L + ".hook_resid_post").data());
    }

    @Test
    void twoVectorsAtOnePointAddUp() {
        SteeringVector a = vector("blocks.1.hook_resid_pre", 1), b = vector("blocks.1.hook_resid_pre", 2);
        Hooks both = Steering.of(List.of(a.term(2f), b.term(-1f))).install(hm.newHooks());
        String name = "blocks.1.hook_resid_pre";
        float[] clean = hm.runWithCache(PROMPT, name::equals).cache().get(name).data();
        float[] s = hm.runWithCache(PROMPT, name::equals, both).cache().get(name).data();
        for (int i = 0; i < d; i++) assertThat(s[i]).isEqualTo(clean[i] + 2f * a.vector()[i] + -1f * b.vector()[i]);
    }

    @Test
    void contrastiveMeanEqualsTheHandComputationFromCachedActivations() {
        List<int[]> pos = List.of(PROMPT, new int[] {1, 306, 763, 366}, new int[] {1, 910, 338, 263, 1243});
        List<int[]> neg = List.of(new int[] {1, 450, 4799}, new int[] {1, 1576, 29871, 29906, 29900, 29906, 29941});
        HookPoint point = HookPoint.parse("blocks.1.hook_resid_pre");
        for (ContrastiveMean.Reduce reduce : ContrastiveMean.Reduce.values()) {
            float[] got = ContrastiveMean.of(hm, pos, neg, point, reduce, null);
            double[] want = new double[d];
            for (int side = 0; side < 2; side++) {
                List<int[]> set = side == 0 ? pos : neg;
                for (int[] ids : set) {
                    // every hook cached, rows read by hand
                    float[] a = hm.runWithCache(ids, n -> true).cache().get(point.name()).data();
                    for (int i = 0; i < d; i++) {
                        double x = 0;
                        if (reduce == ContrastiveMean.Reduce.LAST) x = a[(ids.length - 1) * d + i];
                        else {
                            for (int p = 0; p < ids.length; p++) x += a[p * d + i];
                            x /= ids.length;
                        }
                        want[i] += (side == 0 ? 1 : -1) * x / set.size();
                    }
                }
            }
            for (int i = 0; i < d; i++) assertThat((double) got[i]).as(reduce + " " + i).isCloseTo(want[i], within(1e-5 * (1 + Math.abs(want[i]))));
        }
    }

    @Test
    void aVectorOfTheWrongWidthOrLayerOrSiteIsAUserError() {
        SteeringVector narrow = new SteeringVector(HookPoint.parse("blocks.0.hook_resid_pre"), new float[d + 1], "other", Map.of());
        assertThatThrownBy(() -> narrow.checkFits(model.config(), "tiny")).isInstanceOf(LoupeException.class)
                .hasMessageContaining("d_model " + (d + 1)).hasMessageContaining("d_model " + d);
        SteeringVector deep = new SteeringVector(HookPoint.parse("blocks.9.hook_resid_pre"), new float[d], "other", Map.of());
        assertThatThrownBy(() -> deep.checkFits(model.config(), "tiny")).isInstanceOf(LoupeException.class)
                .hasMessageContaining(layers + " layers");
        assertThatThrownBy(() -> Steering.of(List.of(narrow.term(1f))).check(layers, d)).isInstanceOf(LoupeException.class);
        assertThatThrownBy(() -> new SteeringVector(HookPoint.parse("blocks.0.attn.hook_z"), new float[d], "m", Map.of()))
                .isInstanceOf(LoupeException.class).hasMessageContaining("residual");
    }

    @Test
    void filesRoundTripAndSpecsParse(@TempDir Path dir) throws Exception {
        SteeringVector v = new SteeringVector(HookPoint.parse("blocks.1.hook_resid_post"), randomVector(5), "tiny-llama-f32",
                Map.of("source", "test"));
        Path f = dir.resolve("v.safetensors");
        SteeringFile.save(f, v);
        SteeringVector back = SteeringFile.load(f);
        assertThat(back.vector()).isEqualTo(v.vector());
        assertThat(back.point()).isEqualTo(v.point());
        assertThat(back.model()).isEqualTo("tiny-llama-f32");
        assertThat(back.provenance()).containsEntry("source", "test");
        // the header says the layer and width in plain JSON, for numpy/PyTorch users and for the checks
        String header = new String(Files.readAllBytes(f), 8, 400, java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(header).contains("\"layer\":\"1\"", "\"d_model\":\"" + d + "\"", "\"shape\":[" + d + "]");

        assertThat(SteerSpec.parse("a/v.safetensors:4")).isEqualTo(new SteerSpec(Path.of("a/v.safetensors"), -1, 4f));
        assertThat(SteerSpec.parse("v.safetensors")).isEqualTo(new SteerSpec(Path.of("v.safetensors"), -1, 1f));
        assertThat(SteerSpec.parse("sae.safetensors#12:-2.5")).isEqualTo(new SteerSpec(Path.of("sae.safetensors"), 12, -2.5f));
        assertThatThrownBy(() -> SteerSpec.parse("sae.safetensors#x:1")).isInstanceOf(LoupeException.class);
        assertThatThrownBy(() -> SteerSpec.parse("missing.safetensors:2").load()).isInstanceOf(LoupeException.class)
                .hasMessageContaining("missing.safetensors");
        Path junk = dir.resolve("junk.safetensors");
        Files.writeString(junk, "not at all");
        assertThatThrownBy(() -> SteeringFile.load(junk)).isInstanceOf(LoupeException.class).hasMessageContaining("not a safetensors");

        // An SAE feature: its decoder row, at the SAE's hook point.
        SparseAutoencoder sae = SparseAutoencoder.random(d, 16, 0, 9);
        Path saeFile = dir.resolve("sae.safetensors");
        SaeFile.save(saeFile, sae, "blocks.0.hook_resid_post", Map.of("model", "tiny-llama-f32"));
        SteeringVector feature = SteerSpec.parse(saeFile + "#3:2").load();
        assertThat(feature.vector()).isEqualTo(sae.direction(3));
        assertThat(feature.point().name()).isEqualTo("blocks.0.hook_resid_post");
        assertThatThrownBy(() -> SteeringFile.load(saeFile)).isInstanceOf(LoupeException.class).hasMessageContaining("#FEATURE");
        assertThatThrownBy(() -> SteeringFile.fromSae(saeFile, 16)).isInstanceOf(LoupeException.class).hasMessageContaining("16 features");
        // the whole --steer list, checked against the model
        Steering s = SteerSpec.steering(List.of(f + ":2", saeFile + "#3:-1"), model.config(), "tiny");
        assertThat(s.terms()).hasSize(2);
        assertThat(s.terms().get(0).delta()[0]).isEqualTo(2f * v.vector()[0]);
        assertThat(s.terms().get(1).delta()[0]).isEqualTo(-1f * sae.direction(3)[0]);
    }

    @Test
    void sweepAtZeroMatchesTheUnsteeredModelAndMovesWithTheCoefficient() {
        Tokenizer tok = Tokenizer.fromMetadata(model.file().metadata());
        int V = model.config().vocabSize();
        float[] plain = hm.run(PROMPT);
        int off = (PROMPT.length - 1) * V;
        // targets: the unsteered model's two likeliest next tokens (so their probability is not lost to underflow)
        int first = 0, second = 1;
        for (int i = 0; i < V; i++) {
            if (plain[off + i] > plain[off + first]) {
                second = first;
                first = i;
            } else if (i != first && plain[off + i] > plain[off + second]) second = i;
        }
        int[] targets = {first, second}, foils = {1234};
        int[] text = {1, 450, 7483, 310, 3444, 338, 3681, 29889};
        SteeringVector v = vector("blocks.1.hook_resid_pre", 11);
        List<SteeringSweep.Row> rows = SteeringSweep.run(hm, tok, v, new float[] {-4, 0, 4},
                new SteeringSweep.Setup(List.of(PROMPT), targets, foils, text, 5), null);
        assertThat(rows).hasSize(3);
        // independent: softmax by hand in double
        double max = Double.NEGATIVE_INFINITY, z = 0;
        for (int i = 0; i < V; i++) max = Math.max(max, plain[off + i]);
        for (int i = 0; i < V; i++) z += Math.exp(plain[off + i] - max);
        double p = (Math.exp(plain[off + targets[0]] - max) + Math.exp(plain[off + targets[1]] - max)) / z;
        SteeringSweep.Row zero = rows.get(1);
        assertThat(p).isGreaterThan(0.01);
        assertThat(zero.targetProb()).isCloseTo(p, within(1e-6));
        assertThat(zero.logitDiff()).isCloseTo((plain[off + targets[0]] + plain[off + targets[1]]) / 2.0 - plain[off + foils[0]], within(1e-5));
        float[] textLogits = hm.run(text);
        double loss = 0;
        for (int q = 0; q + 1 < text.length; q++) {
            double m = Double.NEGATIVE_INFINITY, zz = 0;
            for (int i = 0; i < V; i++) m = Math.max(m, textLogits[q * V + i]);
            for (int i = 0; i < V; i++) zz += Math.exp(textLogits[q * V + i] - m);
            loss -= textLogits[q * V + text[q + 1]] - m - Math.log(zz);
        }
        assertThat(zero.loss()).isCloseTo(loss / (text.length - 1), within(1e-5));
        try (Session s = new Session(model, 16, pool)) {
            String greedy = new Generator(s, tok).generate(PROMPT, new int[0], SamplingParams.greedy().withMaxTokens(5), null).text();
            assertThat(zero.sample()).isEqualTo(greedy);
        }
        assertThat(rows.get(0).targetProb()).isNotCloseTo(zero.targetProb(), within(1e-4));
        assertThat(rows.get(2).logitDiff()).isNotCloseTo(zero.logitDiff(), within(1e-3));
        assertThat(rows.get(2).loss()).isNotEqualTo(zero.loss());
    }
}
