package dev.loupe.lens.edit;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.HookSite;
import dev.loupe.core.hook.Hooks;
import dev.loupe.lens.HookedModel;
import dev.loupe.lens.logit.TopK;

import java.util.List;

/**
 * ROME (Meng et al. 2022) on one MLP: the subject's key k* (mean MLP input at its last token over some contexts),
 * a value v* that makes the target token likely when written as that token's MLP output, and the closed-form
 * rank-one update W' = W + (v* - W k*)(C⁻¹k*)ᵀ / (k*ᵀC⁻¹k*), C = E[k kᵀ] over a corpus (+ λI), which changes W k*
 * to exactly v* while moving W k for other keys as little as possible under C.
 *
 * <p>There is no autograd in the engine, so v* is found by gradient ascent on log p(target) with central
 * finite-difference gradients over the d_model coordinates of the MLP output (2 · d_model forward passes of the
 * prompt per step): fine for the small models Loupe studies; ROME's KL and weight-decay terms are left out.
 */
public final class Rome {
    private Rome() {}

    /** @param contexts token sequences each ending at the subject's last token; @param prompt ends where the target is predicted */
    public record Request(int layer, List<int[]> contexts, int[] prompt, int subjectPos, int target) {}

    public record Options(int steps, double stepSize, double targetProb, double lambda) {
        public static Options defaults() {
            return new Options(25, 0.5, 0.9, 1e-2);
        }
    }

    public record Result(RankOneEdit edit, float[] key, float[] value, float[] oldValue, double probBefore, double probAfter) {}

    public static Result edit(HookedModel hm, Request q, List<int[]> corpus, Options o) {
        check(hm, q);
        float[] key = meanKey(hm, q.contexts(), q.layer());
        float[] oldValue = apply(hm, q.prompt(), q.subjectPos(), q.layer(), key);
        float[] base = row(hm, q.prompt(), HookPoint.of(HookSite.MLP_OUT, q.layer()), q.subjectPos());
        float[] shift = optimiseShift(hm, q, base, o);
        float[] value = new float[base.length];
        for (int j = 0; j < value.length; j++) value[j] = base[j] + shift[j];
        double[][] c = secondMoment(hm, corpus, q.layer(), o.lambda());
        double[] cinvK = Cholesky.solve(c, key);
        double kc = 0;
        for (int j = 0; j < key.length; j++) kc += key[j] * cinvK[j];
        float[] u = new float[key.length], delta = new float[value.length];
        for (int j = 0; j < u.length; j++) u[j] = (float) (cinvK[j] / kc);
        for (int j = 0; j < delta.length; j++) delta[j] = value[j] - oldValue[j];
        RankOneEdit e = new RankOneEdit(q.layer(), u, delta);
        double before = targetProb(hm, q.prompt(), q.target(), null);
        double after = targetProb(hm, q.prompt(), q.target(), e.install(hm.newHooks()));
        return new Result(e, key, value, oldValue, before, after);
    }

    private static void check(HookedModel hm, Request q) {
        if (hm.config().arch().postNorms()) throw new LoupeException(hm.config().arch().name() + " normalises the MLP output; the rank-one hook edit needs an MLP without post-norm");
        if (q.layer() < 0 || q.layer() >= hm.config().layers()) throw new LoupeException("layer " + q.layer() + " is not in [0, " + hm.config().layers() + ")");
        if (q.subjectPos() < 0 || q.subjectPos() >= q.prompt().length) throw new LoupeException("subject position " + q.subjectPos() + " is outside the prompt");
        if (q.contexts().isEmpty()) throw new LoupeException("ROME needs at least one context for the subject key");
    }

    /** Mean of {@code blocks.L.mlp.hook_post} at the last token of each context. */
    public static float[] meanKey(HookedModel hm, List<int[]> contexts, int layer) {
        float[] k = new float[hm.config().ffnDim()];
        for (int[] c : contexts) {
            float[] r = row(hm, c, HookPoint.of(HookSite.MLP_POST, layer), c.length - 1);
            for (int j = 0; j < k.length; j++) k[j] += r[j] / contexts.size();
        }
        return k;
    }

    /** W_down k computed by the model itself: {@code k} written as the MLP input at {@code pos}, the MLP output read there. */
    public static float[] apply(HookedModel hm, int[] tokens, int pos, int layer, float[] k) {
        return apply(hm, tokens, pos, layer, k, null);
    }

    /** As {@link #apply(HookedModel, int[], int, int, float[])} through the edited MLP (edit may be null): W' k. */
    public static float[] apply(HookedModel hm, int[] tokens, int pos, int layer, float[] k, RankOneEdit edit) {
        Hooks h = hm.newHooks().add(HookPoint.of(HookSite.MLP_POST, layer), (p, t) -> {
            for (int r = 0; r < t.rows(); r++) if (t.position(r) == pos) System.arraycopy(k, 0, t.data(), t.offset(r), k.length);
        });
        if (edit != null) edit.install(h);
        return row(hm, tokens, HookPoint.of(HookSite.MLP_OUT, layer), pos, h);
    }

    static float[] row(HookedModel hm, int[] tokens, HookPoint point, int pos) {
        return row(hm, tokens, point, pos, null);
    }

    private static float[] row(HookedModel hm, int[] tokens, HookPoint point, int pos, Hooks hooks) {
        return hm.runWithCache(tokens, point.name()::equals, hooks).cache().get(point.name()).row(pos);
    }

    /** Probability of {@code target} after the last token of {@code tokens}. */
    public static double targetProb(HookedModel hm, int[] tokens, int target, Hooks hooks) {
        int v = hm.config().vocabSize();
        return Math.exp(TopK.logProb(hm.runWithHooks(tokens, hooks), (tokens.length - 1) * v, v, target));
    }

    /** KL(before ‖ after) of the next-token distribution after the last token: how far the edit moves a prompt. */
    public static double nextTokenKl(HookedModel hm, int[] tokens, RankOneEdit edit) {
        int v = hm.config().vocabSize(), o = (tokens.length - 1) * v;
        float[] p = hm.run(tokens), q = hm.runWithHooks(tokens, edit.install(hm.newHooks()));
        double lzp = logSumExp(p, o, v), lzq = logSumExp(q, o, v), s = 0;
        for (int i = 0; i < v; i++) {
            double lp = p[o + i] - lzp;
            s += Math.exp(lp) * (lp - (q[o + i] - lzq));
        }
        return s;
    }

    private static double logSumExp(float[] x, int o, int n) {
        double max = Double.NEGATIVE_INFINITY, s = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, x[o + i]);
        for (int i = 0; i < n; i++) s += Math.exp(x[o + i] - max);
        return max + Math.log(s);
    }

    /** Gradient ascent on log p(target) over an additive shift of the MLP output at the subject position. */
    private static float[] optimiseShift(HookedModel hm, Request q, float[] base, Options o) {
        int d = base.length;
        float[] shift = new float[d];
        double norm = 0;
        for (float b : base) norm += b * b;
        double scale = Math.max(Math.sqrt(norm), 1e-3), h = 1e-3 * scale;
        double[] g = new double[d];
        for (int step = 0; step < o.steps(); step++) {
            if (logProbShifted(hm, q, shift) > Math.log(o.targetProb())) break;
            double gn = 0;
            for (int j = 0; j < d; j++) {
                float keep = shift[j];
                shift[j] = (float) (keep + h);
                double up = logProbShifted(hm, q, shift);
                shift[j] = (float) (keep - h);
                double down = logProbShifted(hm, q, shift);
                shift[j] = keep;
                g[j] = (up - down) / (2 * h);
                gn += g[j] * g[j];
            }
            if (gn == 0) break;
            double f = o.stepSize() * scale / Math.sqrt(gn);
            for (int j = 0; j < d; j++) shift[j] += (float) (f * g[j]);
        }
        return shift;
    }

    private static double logProbShifted(HookedModel hm, Request q, float[] shift) {
        Hooks h = hm.newHooks().add(HookPoint.of(HookSite.MLP_OUT, q.layer()), (p, t) -> {
            for (int r = 0; r < t.rows(); r++) {
                if (t.position(r) != q.subjectPos()) continue;
                int o = t.offset(r);
                for (int j = 0; j < shift.length; j++) t.data()[o + j] += shift[j];
            }
        });
        return Math.log(targetProb(hm, q.prompt(), q.target(), h));
    }

    /** C = mean over every corpus position of k kᵀ at {@code blocks.L.mlp.hook_post}, plus λ·mean(diag)·I. */
    public static double[][] secondMoment(HookedModel hm, List<int[]> corpus, int layer, double lambda) {
        int ff = hm.config().ffnDim();
        double[][] c = new double[ff][ff];
        String name = HookPoint.of(HookSite.MLP_POST, layer).name();
        long n = 0;
        for (int[] s : corpus) {
            float[] a = hm.runWithCache(s, name::equals).cache().get(name).data();
            for (int p = 0; p < s.length; p++) {
                int o = p * ff;
                for (int i = 0; i < ff; i++) {
                    double ai = a[o + i];
                    double[] ci = c[i];
                    for (int j = 0; j <= i; j++) ci[j] += ai * a[o + j];
                }
            }
            n += s.length;
        }
        if (n == 0) {
            for (int i = 0; i < ff; i++) c[i][i] = 1; // no corpus: C = I, the plain minimum-norm update
            return c;
        }
        double trace = 0;
        for (int i = 0; i < ff; i++) {
            for (int j = 0; j <= i; j++) {
                c[i][j] /= n;
                c[j][i] = c[i][j];
            }
            trace += c[i][i];
        }
        for (int i = 0; i < ff; i++) c[i][i] += lambda * trace / ff;
        return c;
    }
}
