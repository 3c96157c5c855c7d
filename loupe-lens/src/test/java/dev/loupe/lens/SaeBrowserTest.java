package dev.loupe.lens;

import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.sae.SaeData;
import dev.loupe.lens.sae.SaeMetrics;
import dev.loupe.lens.sae.SparseAutoencoder;
import dev.loupe.lens.sae.browse.FeatureBrowser;
import dev.loupe.lens.sae.browse.FeatureStats;
import dev.loupe.lens.sae.browse.LogitEffects;
import dev.loupe.lens.sae.browse.TopContexts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The SAE feature browser against brute force: every feature's top contexts, density and maximum recomputed from
 * the whole activation matrix of a small corpus (held in memory here, which the browser never does).
 */
class SaeBrowserTest extends FixtureModelTest {
    static final String HOOK = "blocks.1.hook_resid_post";
    static final int LENGTH = 20, K = 3, BEFORE = 3, AFTER = 2;
    static Tokenizer tok;
    static List<int[]> chunks;
    static SparseAutoencoder sae;
    static FeatureBrowser.Result all;

    @BeforeAll
    static void corpus() throws Exception {
        tok = Tokenizer.fromMetadata(model.file().metadata());
        Path text = Files.createTempFile("corpus", ".txt");
        List<String> lines = Files.readAllLines(TestModels.shared().resolve("data/tinyshakespeare/input.txt")).subList(0, 40);
        Files.write(text, lines);
        chunks = new ArrayList<>();
        CorpusChunks.forEach(text, tok, LENGTH, 220, chunks::add);
        Files.delete(text);
        // A random dictionary with a negative encoder bias, so features fire on some tokens and not others.
        sae = SparseAutoencoder.random(model.config().dim(), 24, 0, 5);
        for (int i = 0; i < sae.features(); i++) sae.params()[sae.features() * sae.inputDim() + i] = -0.6f;
        all = browse(sae.features());
    }

    static FeatureBrowser.Result browse(int tracked) {
        FeatureBrowser b = new FeatureBrowser(hm, sae, HOOK, new FeatureBrowser.Options(tracked, K, BEFORE, AFTER, 5), 1);
        for (int[] c : chunks) b.add(c);
        return b.result("tiny-llama-f32");
    }

    @Test
    void chunksCoverTheCorpusInOrderWithBosFirst() throws Exception {
        assertThat(tok.addBos()).isTrue();
        List<Integer> want = new ArrayList<>();
        for (String line : Files.readAllLines(TestModels.shared().resolve("data/tinyshakespeare/input.txt")).subList(0, 40)) {
            for (int t : tok.encode(line + "\n", false, false)) want.add(t);
        }
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            int[] c = chunks.get(i);
            assertThat(c[0]).isEqualTo(tok.bos());
            if (i < chunks.size() - 1) assertThat(c).hasSize(LENGTH);
            for (int j = 1; j < c.length; j++) got.add(c[j]);
        }
        assertThat(got).hasSize(220).isEqualTo(want.subList(0, 220));
        assertThat(chunks).hasSize(12); // 11 full sequences of 19 corpus tokens, and 11 tokens left over
    }

    @Test
    void topContextsDensityAndMaxEqualBruteForce() {
        FeatureBrowser.Result r = all;
        int m = sae.features(), d = sae.inputDim();
        // Brute force: every chunk's activations through SaeData.collect, encoded row by row, BOS rows left out.
        List<float[]> acts = new ArrayList<>();
        float[] rowsNoBos = new float[0];
        int rows = 0;
        for (int[] c : chunks) {
            SaeData.Activations a = SaeData.collect(hm, List.of(c), HOOK);
            float[] f = new float[c.length * m], pre = new float[m], one = new float[m];
            for (int p = 0; p < c.length; p++) {
                sae.encode(a.data(), p * d, pre, one);
                System.arraycopy(one, 0, f, p * m, m);
            }
            acts.add(f);
            rowsNoBos = java.util.Arrays.copyOf(rowsNoBos, (rows + c.length - 1) * d);
            System.arraycopy(a.data(), d, rowsNoBos, rows * d, (c.length - 1) * d);
            rows += c.length - 1;
        }
        assertThat(r.tokens()).isEqualTo(rows);
        double densitySum = 0;
        int dead = 0, evicted = 0;
        for (int fi = 0; fi < m; fi++) {
            record Cand(float v, int seq, int pos) {}
            List<Cand> cands = new ArrayList<>();
            float max = 0;
            int active = 0;
            for (int s = 0; s < chunks.size(); s++) {
                float[] f = acts.get(s);
                int best = -1;
                for (int p = 1; p < chunks.get(s).length; p++) {
                    float v = f[p * m + fi];
                    if (v > 0) active++;
                    max = Math.max(max, v);
                    if (v > 0 && (best < 0 || v > f[best * m + fi])) best = p;
                }
                if (best >= 0) cands.add(new Cand(f[best * m + fi], s, best));
            }
            cands.sort(Comparator.comparingDouble((Cand c) -> -c.v()).thenComparingInt(Cand::seq));
            List<Cand> want = cands.subList(0, Math.min(K, cands.size()));
            if (cands.size() > K) evicted++;
            FeatureStats.Feature got = r.features().get(fi);
            assertThat(got.max()).as("feature %d max", fi).isEqualTo(max);
            assertThat(got.active()).as("feature %d active", fi).isEqualTo(active);
            assertThat(got.contexts()).as("feature %d", fi).hasSize(want.size());
            for (int i = 0; i < want.size(); i++) {
                Cand w = want.get(i);
                TopContexts.Context c = got.contexts().get(i);
                assertThat(new int[] {c.sequence(), c.position()}).as("feature %d context %d", fi, i).containsExactly(w.seq(), w.pos());
                assertThat(c.value()).isEqualTo(w.v());
                int[] seq = chunks.get(w.seq());
                int lo = Math.max(1, w.pos() - BEFORE), hi = Math.min(seq.length, w.pos() + AFTER + 1);
                assertThat(c.tokens()).isEqualTo(java.util.Arrays.copyOfRange(seq, lo, hi));
                assertThat(c.center()).isEqualTo(w.pos() - lo);
                for (int p = lo; p < hi; p++) assertThat(c.activations()[p - lo]).isEqualTo(acts.get(w.seq())[p * m + fi]);
            }
            densitySum += got.density();
            if (got.active() == 0) dead++;
        }
        assertThat(evicted).as("features whose heap had to evict").isGreaterThan(m / 2);
        SaeMetrics metrics = SaeMetrics.of(sae, rowsNoBos, rows);
        assertThat(densitySum).as("sum of densities = L0").isCloseTo(metrics.l0(), within(1e-9));
        assertThat(dead).isEqualTo(metrics.dead());
        assertThat(metrics.l0()).isBetween(1.0, m - 1.0); // features fire on some tokens and not on others
    }

    @Test
    void trackingFewerFeaturesGivesTheSameStatistics() {
        FeatureBrowser.Result few = browse(5);
        assertThat(few.features()).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(few.features().get(i).density()).isEqualTo(all.features().get(i).density());
            assertThat(few.features().get(i).contexts()).usingRecursiveComparison().isEqualTo(all.features().get(i).contexts());
        }
    }

    @Test
    void logitEffectsAreTheUnembeddingOfTheScaledDecoderDirection() {
        int V = model.config().vocabSize(), d = sae.inputDim();
        LogitEffects.Effects[] e = LogitEffects.of(model.weights(), sae, 3, 4);
        float[] wu = model.weights().output().toFloatArray(), gamma = model.weights().outputNorm();
        for (int f = 0; f < 3; f++) {
            float[] dir = sae.direction(f);
            double[] eff = new double[V];
            for (int v = 0; v < V; v++) for (int j = 0; j < d; j++) eff[v] += (double) wu[v * d + j] * gamma[j] * dir[j];
            Integer[] order = new Integer[V];
            for (int v = 0; v < V; v++) order[v] = v;
            java.util.Arrays.sort(order, Comparator.comparingDouble(v -> -eff[v]));
            for (int i = 0; i < 4; i++) {
                assertThat(e[f].promoted()[i]).isEqualTo(order[i]);
                assertThat((double) e[f].promotedBy()[i]).isCloseTo(eff[order[i]], within(1e-4));
                assertThat(e[f].suppressed()[i]).isEqualTo(order[V - 1 - i]);
                assertThat((double) e[f].suppressedBy()[i]).isCloseTo(eff[order[V - 1 - i]], within(1e-4));
            }
        }
    }
}
