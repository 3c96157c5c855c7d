package dev.loupe.lens.edit;

import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.model.Model;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.cache.ActivationCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** ROME on the random-weight tiny Llama fixture: the closed form, the hooks, and what the edit leaves alone. */
class RomeTest {
    static ThreadPool pool;
    static HookedModel hm;
    static Rome.Result result;
    static final int LAYER = 1, SUBJECT = 4, TARGET = 1234;
    // the subject ends the prompt, so the target is the next token (finite-difference steps stay few)
    static final int[] PROMPT = {1, 450, 7483, 310, 3444};
    static final List<int[]> CORPUS = new ArrayList<>();

    @BeforeAll
    static void edit() {
        pool = new ThreadPool(2);
        Model m = Model.load(Path.of(System.getProperty("loupe.shared"), "fixtures/models/tiny-llama-f32.gguf"));
        hm = new HookedModel(m, pool);
        Random r = new Random(1);
        for (int s = 0; s < 8; s++) CORPUS.add(randomTokens(r, 32));
        int[] context = java.util.Arrays.copyOf(PROMPT, SUBJECT + 1);
        result = Rome.edit(hm, new Rome.Request(LAYER, List.of(context), PROMPT, SUBJECT, TARGET), CORPUS, new Rome.Options(4, 1.0, 0.9, 1e-2));
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    static int[] randomTokens(Random r, int n) {
        int[] t = new int[n];
        t[0] = 1;
        for (int i = 1; i < n; i++) t[i] = 100 + r.nextInt(20000);
        return t;
    }

    @Test
    void editedMatrixMapsKeyToValue() {
        float[] out = Rome.apply(hm, PROMPT, SUBJECT, LAYER, result.key(), result.edit());
        double scale = 0;
        for (float v : result.value()) scale = Math.max(scale, Math.abs(v));
        for (int j = 0; j < out.length; j++) assertEquals(result.value()[j], out[j], 1e-4 * scale, "W'k* = v* at " + j);
        // and the edit did change the output for k*: v* is not W k*
        double moved = 0;
        for (int j = 0; j < out.length; j++) moved += Math.abs(result.value()[j] - result.oldValue()[j]);
        assertTrue(moved > 1e-2 * scale);
    }

    @Test
    void editIsRankOne() {
        Random r = new Random(5);
        float[] k = new float[hm.config().ffnDim()];
        for (int j = 0; j < k.length; j++) k[j] = (float) r.nextGaussian();
        float[] before = Rome.apply(hm, PROMPT, 1, LAYER, k, null), after = Rome.apply(hm, PROMPT, 1, LAYER, k, result.edit());
        double s = 0;
        for (int j = 0; j < k.length; j++) s += (double) result.edit().u()[j] * k[j];
        for (int j = 0; j < before.length; j++) assertEquals(s * result.edit().delta()[j], after[j] - before[j], 1e-3 * (1 + Math.abs(after[j])));
    }

    @Test
    void targetProbabilityRises() {
        assertTrue(result.probAfter() > result.probBefore() * 10, result.probBefore() + " -> " + result.probAfter());
        assertTrue(result.probAfter() > 0.5, "after " + result.probAfter());
    }

    @Test
    void weightsAndEarlierComputationUntouched() {
        int[] t = CORPUS.get(0);
        // the model without hooks gives bit-identical logits after the edit: no weight was written
        float[] plain = hm.run(t);
        Rome.targetProb(hm, t, TARGET, result.edit().install(hm.newHooks()));
        assertArrayEquals(plain, hm.run(t), 0f);
        // with the edit, everything before layer L's MLP output is bit-identical
        ActivationCache a = hm.runWithCache(t, n -> true).cache(), b = hm.runWithCache(t, n -> true, result.edit().install(hm.newHooks())).cache();
        for (String name : a.names()) {
            HookPoint p = HookPoint.parse(name);
            boolean upstream = p.layer() >= 0 && p.layer() <= LAYER && p.site().ordinal() < dev.loupe.core.hook.HookSite.MLP_OUT.ordinal() || name.equals("hook_embed");
            if (upstream) assertArrayEquals(a.get(name).data(), b.get(name).data(), 0f, name);
        }
    }

    @Test
    void unrelatedPromptsChangeLittle() {
        double editKl = Rome.nextTokenKl(hm, PROMPT, result.edit());
        Random r = new Random(99);
        double sum = 0;
        int n = 4;
        for (int i = 0; i < n; i++) {
            sum += Rome.nextTokenKl(hm, randomTokens(r, 12), result.edit());
        }
        assertTrue(sum / n < 0.1 * editKl, "unrelated KL " + sum / n + " vs edit prompt KL " + editKl);
    }
}
