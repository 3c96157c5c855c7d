package dev.loupe.train.optim;

import dev.loupe.train.nn.ParamLayout;

/**
 * AdamW (decoupled weight decay) over the flat parameter array, with global-norm gradient clipping.
 *
 * <p>Weight decay applies to the matrices only, not to norm weights (decaying them towards 0 would fight
 * their role as per-channel gains around 1) nor to the token embedding (rows of rare tokens get few
 * gradients, and decay would shrink them towards zero between visits — nanoGPT and llm.c make the same
 * choice for 1-D parameters; for embeddings it is a choice: with tied output the matrix is also the output
 * projection, and we still leave it undecayed).
 */
public final class AdamW {
    private final AdamWConfig cfg;
    private final boolean[] decay;
    private final int[] starts;
    public final float[] m, v;
    private long step;

    public AdamW(AdamWConfig cfg, ParamLayout layout) {
        this(cfg, layout.size, layout.tensors().size());
        var ts = layout.tensors();
        for (int i = 0; i < ts.size(); i++) {
            starts[i] = ts.get(i).offset();
            decay[i] = ts.get(i).kind() == ParamLayout.Kind.MATRIX;
        }
    }

    /** Over {@code size} parameters that are all matrices (decayed), such as LoRA's A and B. */
    public AdamW(AdamWConfig cfg, int size) {
        this(cfg, size, 1);
        decay[0] = true;
    }

    private AdamW(AdamWConfig cfg, int size, int groups) {
        this.cfg = cfg;
        this.m = new float[size];
        this.v = new float[size];
        this.starts = new int[groups + 1];
        this.decay = new boolean[groups];
        starts[groups] = size;
    }

    public AdamWConfig config() {
        return cfg;
    }

    /** Updates taken so far (the next update is step {@code step()} of the schedule). */
    public long step() {
        return step;
    }

    public void setStep(long s) {
        step = s;
    }

    /** L2 norm of the gradient, summed in double in a fixed order. */
    public static double norm(float[] g) {
        double s = 0;
        for (float x : g) s += (double) x * x;
        return Math.sqrt(s);
    }

    /** One update; returns the gradient norm before clipping. */
    public double update(float[] params, float[] grads) {
        double norm = norm(grads);
        float clip = cfg.gradClip() > 0 && norm > cfg.gradClip() ? (float) (cfg.gradClip() / norm) : 1f;
        float lr = (float) cfg.learningRate(step);
        step++;
        float b1 = cfg.beta1(), b2 = cfg.beta2();
        float c1 = (float) (1 - Math.pow(b1, step)), c2 = (float) (1 - Math.pow(b2, step));
        for (int t = 0; t < decay.length; t++) {
            float wd = decay[t] ? cfg.weightDecay() : 0f;
            for (int i = starts[t]; i < starts[t + 1]; i++) {
                float g = grads[i] * clip;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                float mHat = m[i] / c1, vHat = v[i] / c2;
                params[i] -= lr * (mHat / ((float) Math.sqrt(vHat) + cfg.eps()) + wd * params[i]);
            }
        }
        return norm;
    }
}
