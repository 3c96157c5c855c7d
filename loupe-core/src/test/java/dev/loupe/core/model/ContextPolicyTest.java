package dev.loupe.core.model;

import dev.loupe.core.Fixtures;
import dev.loupe.core.LoupeException;
import dev.loupe.core.context.ContextPolicy;
import dev.loupe.core.gen.ModelGenerator;
import dev.loupe.core.gen.ModelShape;
import dev.loupe.core.hook.Hooks;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Context policies: each plan against its rule written out independently (llama.cpp's n_keep/n_discard, StreamingLLM's
 * sinks + window, H2O's lowest scores by brute force), RoPE re-rotation against keys computed at the new position,
 * and whole sessions: after overflow a sinks cache holds exactly what a fresh run over the kept tokens computes.
 */
class ContextPolicyTest {

    // ---- RoPE re-rotation ----

    /**
     * R(d) applied to a key rotated for position p equals the key rotated for p + d, for every scaling and both RoPE
     * styles (angles are linear in the position; the YaRN magnitude is applied once). Bound: float rounding of angles
     * up to ~300 rad.
     */
    @ParameterizedTest(name = "{0} {1}x, {2}")
    @CsvSource({"NONE, 1, tiny-llama-f32.gguf", "LINEAR, 4, tiny-llama-f32.gguf", "NTK, 4, tiny-llama-f32.gguf",
            "YARN, 4, tiny-llama-f32.gguf", "NONE, 1, tiny-qwen2-f16.gguf", "YARN, 4, tiny-qwen2-f16.gguf"})
    void reRotatedKeysEqualKeysComputedAtTheNewPosition(RopeScaling.Type type, float factor, String file) {
        try (Model m = Model.load(Fixtures.model(file), List.of(),
                fromFile -> type == RopeScaling.Type.NONE ? RopeScaling.NONE : RopeScaling.of(type, factor, 128))) {
            ModelConfig c = m.config();
            Rope rope = new Rope(c, m.weights().ropeFreqs()), shift = new Rope(c, m.weights().ropeFreqs());
            SplittableRandom rnd = new SplittableRandom(3);
            int width = c.kvDim();
            double worst = 0;
            for (int[] pd : new int[][]{{10, -7}, {200, -150}, {300, -1}, {5, 40}, {64, -64}}) {
                float[] x = new float[width];
                for (int i = 0; i < width; i++) x[i] = (float) rnd.nextGaussian();
                float[] moved = x.clone(), fresh = x.clone();
                rope.setPosition(pd[0]);
                rope.apply(moved, 0, c.kvHeads(), c.headDim());
                shift.setShift(pd[1]);
                shift.apply(moved, 0, c.kvHeads(), c.headDim());
                rope.setPosition(pd[0] + pd[1]);
                rope.apply(fresh, 0, c.kvHeads(), c.headDim());
                for (int i = 0; i < width; i++) worst = Math.max(worst, Math.abs(moved[i] - fresh[i]));
                // And the rotation really moved it (a no-op would pass the comparison only at d = 0).
                float[] stay = x.clone();
                rope.setPosition(pd[0]);
                rope.apply(stay, 0, c.kvHeads(), c.headDim());
                assertThat(maxDiff(stay, fresh)).as("position %d vs %d", pd[0], pd[0] + pd[1]).isGreaterThan(0.05f);
            }
            assertThat(worst).as("largest difference of a re-rotated key").isLessThan(2e-4);
        }
    }

    // ---- plans ----

    /** llama.cpp tools/completion: when n_past + n >= n_ctx, n_discard = (n_past - n_keep) / 2; seq_rm, then seq_add. */
    @Test
    void shiftFollowsLlamaCppsRule() {
        int ctx = 64;
        for (int nKeep : new int[]{0, 1, 5, 61}) {
            ContextPolicy p = new ContextPolicy.Shift(nKeep);
            int nPast = ctx - 1; // the first n_past at which a one-token batch triggers: n_past + 1 >= n_ctx
            assertThat(p.room(nPast - 1, ctx)).isEqualTo(1);
            assertThat(p.room(nPast, ctx)).isZero();
            int[] keep = new int[ctx];
            int n = p.plan(nPast, 1, ctx, null, keep);
            int nLeft = nPast - nKeep, nDiscard = nLeft / 2;
            List<Integer> want = new ArrayList<>();
            for (int t = 0; t < nPast; t++) if (t < nKeep || t >= nKeep + nDiscard) want.add(t); // seq_rm [n_keep, n_keep + n_discard)
            assertThat(Arrays.stream(keep, 0, n).boxed().toList()).isEqualTo(want);
            assertThat(nPast - n).isEqualTo(nDiscard); // n_past -= n_discard
        }
        assertThatThrownBy(() -> new ContextPolicy.Shift(62).validate(64)).isInstanceOf(LoupeException.class).hasMessageContaining("--keep");
    }

    @Test
    void sinksKeepTheFirstTokensAndTheNewestWindow() {
        int[] keep = new int[16];
        int n = new ContextPolicy.Sinks(4).plan(16, 1, 16, null, keep);
        assertThat(Arrays.copyOf(keep, n)).containsExactly(0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        n = new ContextPolicy.Sinks(2).plan(16, 5, 16, null, keep); // a batch of five evicts five
        assertThat(Arrays.copyOf(keep, n)).containsExactly(0, 1, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    }

    /** H2O against a brute-force oracle: sort the non-recent positions by (score, position) and drop the first ones. */
    @Test
    void heavyHittersKeepTheTopScoringPositions() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 200; trial++) {
            int cap = 4 + rnd.nextInt(60), heavy = rnd.nextInt(cap), incoming = 1 + rnd.nextInt(Math.min(8, cap));
            float[] scores = new float[cap];
            // Coarse values so ties happen (the older one goes first).
            for (int t = 0; t < cap; t++) scores[t] = rnd.nextInt(6);
            int[] keep = new int[cap];
            int n = new ContextPolicy.HeavyHitters(heavy).plan(cap, incoming, cap, scores, keep);

            int recent = cap - heavy;
            int protectedFrom = Math.max(1, cap - Math.max(0, recent - incoming));
            List<Integer> candidates = new ArrayList<>(IntStream.range(0, protectedFrom).boxed().toList());
            candidates.sort(Comparator.<Integer>comparingDouble(t -> scores[t]).thenComparingInt(t -> t));
            int evict = Math.min(incoming, candidates.size());
            List<Integer> gone = candidates.subList(0, evict);
            List<Integer> want = IntStream.range(0, cap).boxed().filter(t -> !gone.contains(t)).toList();
            assertThat(Arrays.stream(keep, 0, n).boxed().toList()).as("trial %d: cap %d heavy %d incoming %d", trial, cap, heavy, incoming).isEqualTo(want);
            // The kept heavy hitters outscore (or tie, being younger) every evicted candidate.
            for (int g : gone) for (int t = 0; t < protectedFrom; t++) if (!gone.contains(t)) assertThat(scores[t]).isGreaterThanOrEqualTo(scores[g]);
        }
    }

    // ---- whole sessions ----

    /**
     * StreamingLLM's claim, exactly: in a one-layer model the cache holds only layer-0 keys and values, which depend on
     * the token and its position alone, so after overflow a sinks session must give the logits a fresh session gives
     * for exactly the kept tokens at positions 0..n. The bound allows the one extra F16 rounding of a re-rotated key.
     */
    @Test
    void sinksAfterOverflowEqualsAFreshRunOverTheKeptTokens(@TempDir Path dir) {
        Path file = dir.resolve("one-layer.gguf");
        new ModelGenerator(new ModelShape("llama", 64, 1, 4, 2, 16, 192, 0, 512, 10000f, 1e-5f, false), GgmlType.F32, 9, null, 0)
                .write(file, "one-layer", null);
        int ctx = 32, sinks = 4, total = 75;
        int[] text = IntStream.range(0, total + 1).map(i -> 3 + (i * 37 + i * i) % 250).toArray();
        try (Model m = Model.load(file); ThreadPool pool = new ThreadPool(2)) {
            float[] streamed;
            try (Session s = new Session(m, ctx, pool)) {
                s.setContextPolicy(new ContextPolicy.Sinks(sinks));
                s.prefill(Arrays.copyOf(text, 20)); // a batch, then token by token past the end
                for (int i = 20; i < total; i++) s.forward(text[i], false);
                assertThat(s.position()).isEqualTo(ctx);
                assertThat(s.evicted()).isEqualTo(total - ctx);
                streamed = s.forward(text[total], true).clone();
            }
            // Kept before the last token: the sinks and the newest ctx - sinks - 1 (one slot made for it).
            int[] kept = IntStream.concat(IntStream.range(0, sinks), IntStream.range(total - (ctx - sinks - 1), total + 1)).map(i -> text[i]).toArray();
            assertThat(kept).hasSize(ctx);
            float[] fresh;
            try (Session s = new Session(m, ctx, pool)) {
                fresh = s.prefill(kept).clone();
            }
            float range = range(fresh);
            assertThat(maxDiff(streamed, fresh)).as("streamed vs fresh logits").isLessThan(2e-3f * range);
            // Not vacuous: without the sinks (a plain window) the logits differ clearly.
            try (Session s = new Session(m, ctx, pool)) {
                float[] window = s.prefill(Arrays.copyOfRange(text, total + 1 - ctx, total + 1)).clone();
                assertThat(maxDiff(window, fresh)).isGreaterThan(2e-2f * range);
            }
        }
    }

    /**
     * The same on a two-layer fixture, where only layer 0 is a function of the kept tokens: after shift and after
     * sinks, every cached layer-0 value row equals the fresh run's bit for bit and every key row equals it up to the
     * F16 roundings of its re-rotations: each eviction re-rotates a kept key once and rounds it to F16 again
     * (2^-11 relative; a Q8_0 key is requantized, a step of 1/127 of its block's largest value), so the bound grows
     * with the evictions a key lived through (sinks evicts one position per token; shift halves the context, so a key
     * moves at most a few times). Measured, as a fraction of the row's largest value: F16 6.1e-4 (shift, 4 evictions)
     * and 5.2e-3 (sinks, 37); Q8_0 9.9e-3 and 6.3e-2.
     */
    @ParameterizedTest(name = "{0}, K {1}, {3}")
    @CsvSource({"shift, F16, 1e-3, tiny-llama-f32", "sinks, F16, 1e-3, tiny-llama-f32",
            "shift, Q8_0, 1e-2, shipped", "sinks, Q8_0, 1e-2, shipped"}) // Q8_0 needs 32-wide heads
    void evictedCacheLayerZeroEqualsAFreshRun(String name, GgmlType keyType, double perEviction, String model) {
        int ctx = 24, total = 61;
        int[] text = IntStream.range(0, total).map(i -> 5 + (i * 53 + 7 * i * i) % 900).toArray(); // both vocabularies have 905+
        Path file = model.equals("shipped") ? Path.of(System.getProperty("loupe.home"), "models", "loupe-shakespeare.gguf") : Fixtures.model(model + ".gguf");
        try (Model m = Model.load(file); ThreadPool pool = new ThreadPool(2);
             Session s = new Session(m, ctx, pool, new KvFormat(keyType, GgmlType.F16));
             Session fresh = new Session(m, ctx, pool, new KvFormat(keyType, GgmlType.F16))) {
            ContextPolicy p = ContextPolicy.parse(name, 3, 2, -1, ctx);
            s.setContextPolicy(p);
            // Track which token sits in which slot by replaying the policy's plans on a list.
            List<Integer> slots = new ArrayList<>();
            int[] keep = new int[ctx];
            int events = 0;
            for (int i = 0; i < total; i++) {
                if (p.room(slots.size(), ctx) == 0) {
                    events++;
                    int n = p.plan(slots.size(), Session.evictionStep(keyType, ctx), ctx, null, keep);
                    List<Integer> next = new ArrayList<>();
                    for (int j = 0; j < n; j++) next.add(slots.get(keep[j]));
                    slots = next;
                }
                slots.add(text[i]);
                s.forward(text[i], false);
            }
            assertThat(s.position()).isEqualTo(slots.size());
            assertThat(s.evicted()).isEqualTo(total - slots.size()).isPositive();
            fresh.prefill(slots.stream().mapToInt(Integer::intValue).toArray());
            ModelConfig c = m.config();
            KvPool kp = s.cache().pool, fp = fresh.cache().pool;
            float[] k = new float[c.kvDim()], v = new float[c.vDim()], fk = new float[c.kvDim()], fv = new float[c.vDim()];
            double worstK = 0;
            for (int t = 0; t < slots.size(); t++) {
                int r = s.cache().row(t), fr = fresh.cache().row(t);
                kp.readValue(0, r, v, 0);
                fp.readValue(0, fr, fv, 0);
                assertThat(v).as("value row %d", t).containsExactly(fv);
                kp.readKey(0, r, k, 0);
                fp.readKey(0, fr, fk, 0);
                float scale = 0; // relative to the row's largest value: a quantized type's step is a fraction of it
                for (int i = 0; i < c.kvDim(); i++) scale = Math.max(scale, Math.abs(fk[i]));
                for (int i = 0; i < c.kvDim(); i++) worstK = Math.max(worstK, Math.abs(k[i] - fk[i]) / scale);
            }
            System.out.printf("%s, K %s: layer-0 keys within %.2e of the row's largest value after %d evictions%n", name, keyType, worstK, events);
            assertThat(worstK).as("largest relative difference of a layer-0 key after %d evictions", events).isLessThan(perEviction * (events + 1));
        }
    }

    /** The scores H2O reads are the attention probabilities summed over layers, heads and queries, as the pattern hook sees them. */
    @Test
    void accumulatedAttentionIsTheSumOfThePatterns() {
        int ctx = 40;
        int[] text = IntStream.range(0, 30).map(i -> 10 + (i * 31) % 700).toArray();
        try (Model m = Model.load(Fixtures.model("tiny-llama-f32.gguf")); ThreadPool pool = new ThreadPool(2);
             Session s = new Session(m, ctx, pool); Session hooked = new Session(m, ctx, pool)) {
            s.setContextPolicy(new ContextPolicy.HeavyHitters(10));
            s.prefill(Arrays.copyOf(text, 17));
            for (int i = 17; i < text.length; i++) s.forward(text[i], false);
            double[] oracle = new double[ctx];
            int heads = m.config().heads();
            hooked.forwardEngine().setHooks(new Hooks(m.config().layers()).addAll(n -> n.endsWith("hook_pattern"), (pt, t) -> {
                int keys = t.headWidth();
                for (int r = 0; r < t.rows(); r++)
                    for (int h = 0; h < heads; h++)
                        for (int key = 0; key < keys; key++) oracle[key] += t.data()[(r * heads + h) * keys + key];
            }));
            hooked.prefill(Arrays.copyOf(text, 17));
            for (int i = 17; i < text.length; i++) hooked.forward(text[i], false);
            float[] got = s.attentionScores();
            assertThat(got).hasSize(text.length);
            double total = 0;
            for (int t = 0; t < got.length; t++) {
                assertThat((double) got[t]).as("position %d", t).isCloseTo(oracle[t], within(1e-4 * Math.max(1, oracle[t])));
                total += got[t];
            }
            // Each query row's probabilities sum to one per head and layer.
            assertThat(total).isCloseTo((double) text.length * heads * m.config().layers(), within(0.01 * text.length));
        }
    }

    @Test
    void noneIsAClearErrorAndOthersRunOnForEver() {
        try (Model m = Model.load(Fixtures.model("tiny-llama-f32.gguf")); ThreadPool pool = new ThreadPool(1);
             Session s = new Session(m, 8, pool)) {
            s.prefill(new int[]{1, 2, 3, 4, 5, 6, 7, 8});
            assertThat(s.canContinue()).isFalse();
            assertThatThrownBy(() -> s.forward(9, true)).isInstanceOf(LoupeException.class).hasMessageContaining("context is full (8 tokens)");
            for (String name : new String[]{"shift", "sinks", "h2o"}) {
                s.rewind(0);
                s.setContextPolicy(ContextPolicy.parse(name, 1, 1, -1, 8));
                for (int i = 0; i < 50; i++) s.forward(10 + i, true);
                assertThat(s.position()).as(name).isBetween(4, 8);
            }
            assertThatThrownBy(() -> ContextPolicy.parse("lru", 0, 0, 0, 8)).isInstanceOf(LoupeException.class).hasMessageContaining("none, shift, sinks or h2o");
        }
    }

    private static float maxDiff(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    private static float range(float[] a) {
        float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
        for (float x : a) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return hi - lo;
    }
}
