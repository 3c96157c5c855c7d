package dev.loupe.train.nn;

import dev.loupe.core.LoupeException;
import dev.loupe.core.lora.LoraTarget;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.train.SplitMix64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Low-rank adapters (LoRA, Hu et al. 2021) on a frozen model's matrices: y = W x + s B (A x) with s = alpha / rank,
 * A [rank][in], B [out][rank]. Only A and B train; they live in their own flat {@link #params}/{@link #grads}, so the
 * optimizer and checkpoints see just them. The forward pass keeps s·(A x) per adapted matrix for the backward pass.
 * Shapes are llama.cpp's adapter layout: A is GGUF [in, rank] ({@code lora_a}), B is GGUF [rank, out] ({@code lora_b}).
 */
public final class Lora {
    /** @param targets which matrices of every layer get an adapter */
    public record Config(int rank, float alpha, Set<LoraTarget> targets) {
        public Config {
            if (rank < 1) throw new LoupeException("LoRA rank must be at least 1, got " + rank);
            if (!(alpha > 0)) throw new LoupeException("LoRA alpha must be positive, got " + alpha);
            if (targets.isEmpty()) throw new LoupeException("LoRA needs at least one target module");
            targets = Collections.unmodifiableSet(EnumSet.copyOf(targets));
        }

        public float scale() {
            return alpha / rank;
        }
    }

    /** One adapted matrix: A at {@code aOff}, B at {@code bOff} of {@link #params}. */
    public record Pair(int layer, LoraTarget target, int in, int out, int aOff, int bOff) {
        /** The base tensor's GGUF name, e.g. {@code blk.0.attn_q.weight}. */
        public String baseName() {
            return target.baseName(layer);
        }
    }

    private final Config config;
    private final float scale;
    private final List<Pair> pairs = new ArrayList<>();
    private final Pair[][] byLayer;
    private final float[][][] scaledU;
    private final float[] du, tmp;
    private final int N;
    private final MatMul mm;
    public final float[] params;
    public final float[] grads;

    Lora(Config config, LlamaConfig c, int N, ThreadPool pool) {
        this.config = config;
        this.scale = config.scale();
        this.N = N;
        this.mm = new MatMul(pool);
        int r = config.rank();
        byLayer = new Pair[c.layers()][LoraTarget.values().length];
        scaledU = new float[c.layers()][LoraTarget.values().length][];
        long at = 0;
        int maxOut = 0;
        for (int l = 0; l < c.layers(); l++) {
            for (LoraTarget t : config.targets()) {
                int in = t == LoraTarget.FFN_DOWN ? c.ffnDim() : c.dim();
                int out = switch (t) {
                    case ATTN_K, ATTN_V -> c.kvDim();
                    case FFN_GATE, FFN_UP -> c.ffnDim();
                    default -> c.dim();
                };
                if (at + (long) r * (in + out) > Integer.MAX_VALUE - 8) throw new LoupeException("LoRA too large for one float array");
                Pair p = new Pair(l, t, in, out, (int) at, (int) at + r * in);
                at += (long) r * (in + out);
                pairs.add(p);
                byLayer[l][t.ordinal()] = p;
                scaledU[l][t.ordinal()] = new float[N * r];
                maxOut = Math.max(maxOut, out);
            }
        }
        params = new float[(int) at];
        grads = new float[(int) at];
        du = new float[N * r];
        tmp = new float[N * maxOut];
    }

    public Config config() {
        return config;
    }

    public List<Pair> pairs() {
        return Collections.unmodifiableList(pairs);
    }

    /**
     * PEFT's initialisation: A uniform in ±1/sqrt(in) (kaiming_uniform with a = sqrt(5)), B = 0, so training starts
     * from the base model exactly and B's first gradient is non-zero.
     */
    public void initialize(long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        Arrays.fill(params, 0f);
        for (Pair p : pairs) {
            double bound = 1.0 / Math.sqrt(p.in());
            for (int i = 0; i < config.rank() * p.in(); i++) params[p.aOff() + i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
    }

    void zeroGrad() {
        Arrays.fill(grads, 0f);
    }

    /** y += s B (A x) for the N rows of x, if (layer, target) is adapted. */
    void forward(int layer, LoraTarget t, float[] y, float[] x) {
        Pair p = byLayer[layer][t.ordinal()];
        if (p == null) return;
        int r = config.rank();
        float[] u = scaledU[layer][t.ordinal()];
        mm.forward(u, x, params, p.aOff(), N, p.in(), r);
        for (int i = 0; i < N * r; i++) u[i] *= scale;
        mm.forward(tmp, u, params, p.bOff(), N, r, p.out());
        for (int i = 0; i < N * p.out(); i++) y[i] += tmp[i];
    }

    /**
     * Given dy = dL/dy for (layer, target): dB += dy^T (s A x), dA += (s B^T dy)^T x, and dx += A^T (s B^T dy).
     * Must follow the forward pass that filled s·(A x).
     */
    void backward(int layer, LoraTarget t, float[] dx, float[] dy, float[] x) {
        Pair p = byLayer[layer][t.ordinal()];
        if (p == null) return;
        int r = config.rank();
        Arrays.fill(du, 0f);
        mm.backward(du, grads, dy, scaledU[layer][t.ordinal()], params, p.bOff(), N, r, p.out());
        for (int i = 0; i < N * r; i++) du[i] *= scale;
        mm.backward(dx, grads, du, x, params, p.aOff(), N, p.in(), r);
    }

    /** W += s B A for every adapted matrix of {@code base} (laid out by {@code layout}): the merged model. */
    public void mergeInto(float[] base, ParamLayout layout) {
        int r = config.rank();
        for (Pair p : pairs) {
            int w = weightOffset(layout.layer(p.layer()), p.target());
            for (int o = 0; o < p.out(); o++) {
                for (int k = 0; k < r; k++) {
                    float g = scale * params[p.bOff() + o * r + k];
                    if (g != 0) Vec.axpy(base, w + o * p.in(), g, params, p.aOff() + k * p.in(), p.in());
                }
            }
        }
    }

    static int weightOffset(ParamLayout.Layer l, LoraTarget t) {
        return switch (t) {
            case ATTN_Q -> l.wq();
            case ATTN_K -> l.wk();
            case ATTN_V -> l.wv();
            case ATTN_OUTPUT -> l.wo();
            case FFN_GATE -> l.gate();
            case FFN_UP -> l.up();
            case FFN_DOWN -> l.down();
        };
    }
}
