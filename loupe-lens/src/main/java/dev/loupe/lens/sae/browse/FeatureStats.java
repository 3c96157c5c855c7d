package dev.loupe.lens.sae.browse;

import dev.loupe.lens.sae.SparseAutoencoder;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-feature statistics of an SAE over a stream of token sequences, one sequence at a time: how often each feature
 * fires (density), its mean activation when it fires, its maximum, and its top contexts ({@link TopContexts}). Memory
 * is flat in corpus length: counters per feature, a bounded heap per feature, and one [n][m] activation buffer reused
 * for every sequence. The first {@code tracked} features are followed (all m are still encoded: TopK needs them).
 */
public final class FeatureStats {
    private final SparseAutoencoder sae;
    private final int m, tracked;
    private final long[] active;
    private final double[] sum;
    private final float[] max;
    private final TopContexts top;
    private final float[] pre, f, seqMax;
    private final int[] seqArg;
    private float[] acts = new float[0];
    private long tokens;
    private int sequences;

    public FeatureStats(SparseAutoencoder sae, int tracked, int k, int before, int after) {
        if (tracked < 1 || tracked > sae.features()) throw new IllegalArgumentException("tracked features must be in [1, " + sae.features() + "]");
        this.sae = sae;
        this.m = sae.features();
        this.tracked = tracked;
        this.active = new long[tracked];
        this.sum = new double[tracked];
        this.max = new float[tracked];
        this.top = new TopContexts(tracked, k, before, after);
        this.pre = new float[m];
        this.f = new float[m];
        this.seqMax = new float[tracked];
        this.seqArg = new int[tracked];
    }

    /** A feature's statistics; {@code meanActive} is the mean over the tokens where it fires (0 when it never does). */
    public record Feature(int id, long active, double density, double meanActive, float max, List<TopContexts.Context> contexts) {}

    /**
     * Adds one sequence: {@code toks} [0, n) and the hook's activations {@code x} [n][d_in]. Positions before
     * {@code from} (a BOS, whose residual is the same in every sequence) count nowhere.
     */
    public void add(int[] toks, float[] x, int n, int from) {
        int d = sae.inputDim();
        if (acts.length < n * m) acts = new float[n * m];
        java.util.Arrays.fill(seqMax, 0f);
        for (int p = from; p < n; p++) {
            sae.encode(x, p * d, pre, f);
            System.arraycopy(f, 0, acts, p * m, m);
            for (int i = 0; i < tracked; i++) {
                float v = f[i];
                if (v <= 0f) continue;
                active[i]++;
                sum[i] += v;
                if (v > max[i]) max[i] = v;
                if (v > seqMax[i]) {  // strictly greater: the first strongest position wins
                    seqMax[i] = v;
                    seqArg[i] = p;
                }
            }
        }
        for (int i = 0; i < tracked; i++) {
            if (seqMax[i] > 0f) top.offer(i, seqMax[i], sequences, seqArg[i], toks, acts, n, m, from);
        }
        tokens += Math.max(0, n - from);
        sequences++;
    }

    public long tokens() {
        return tokens;
    }

    public int sequences() {
        return sequences;
    }

    public List<Feature> features() {
        List<Feature> out = new ArrayList<>(tracked);
        for (int i = 0; i < tracked; i++) {
            double density = tokens > 0 ? active[i] / (double) tokens : 0;
            out.add(new Feature(i, active[i], density, active[i] > 0 ? sum[i] / active[i] : 0, max[i], top.contexts(i)));
        }
        return out;
    }
}
