package dev.loupe.core.hook;

import dev.loupe.core.LoupeException;

import java.util.ArrayList;
import java.util.List;

/**
 * Activation addition (Turner et al. 2023; Rimsky et al. 2024, CAA): vectors added to the residual stream at named
 * hook points, at every position of a sequence, prompt and generated tokens alike. Each {@link Term} holds its
 * vector already multiplied by its coefficient, so applying it is one add per element. Immutable; lives in core so
 * that {@code loupe run}/{@code chat} (one sequence) and the server (per row of a mixed batch) apply it the same way.
 */
public final class Steering {
    /** {@code delta = coef · vector}, added to every row at {@code point}. */
    public record Term(HookPoint point, float[] delta) {
        public Term {
            if (!steerable(point.site())) {
                throw new LoupeException("cannot steer at " + point.name() + ": steering vectors are added to the residual "
                        + "stream (hook_embed, hook_resid_pre/mid/post, hook_attn_out, hook_mlp_out)");
            }
        }
    }

    private final List<Term> terms;

    private Steering(List<Term> terms) {
        this.terms = List.copyOf(terms);
    }

    public static Steering of(List<Term> terms) {
        return new Steering(terms);
    }

    /** The term adding {@code coef · vector} at {@code point}; the product is taken once here, in float. */
    public static Term term(HookPoint point, float[] vector, float coef) {
        float[] delta = new float[vector.length];
        for (int i = 0; i < delta.length; i++) delta[i] = coef * vector[i];
        return new Term(point, delta);
    }

    /** The sites a steering vector may target: the ones of width d_model that feed the residual stream. */
    public static boolean steerable(HookSite s) {
        return switch (s) {
            case EMBED, RESID_PRE, RESID_MID, RESID_POST, ATTN_OUT, MLP_OUT -> true;
            default -> false;
        };
    }

    public List<Term> terms() {
        return terms;
    }

    public boolean isEmpty() {
        return terms.isEmpty();
    }

    /** A user error unless every term fits a model of {@code layers} blocks and width {@code dim}. */
    public Steering check(int layers, int dim) {
        for (Term t : terms) {
            if (t.point.site().perLayer() && t.point.layer() >= layers) {
                throw new LoupeException("steering at " + t.point.name() + " but the model has " + layers + " layers");
            }
            if (t.delta.length != dim) {
                throw new LoupeException("steering vector at " + t.point.name() + " has " + t.delta.length
                        + " values but the model's d_model is " + dim);
            }
        }
        return this;
    }

    /** Adds a hook per term to {@code hooks} that steers every row; returns {@code hooks}. */
    public Hooks install(Hooks hooks) {
        for (Term term : terms) {
            float[] d = term.delta;
            hooks.add(term.point, (p, t) -> {
                float[] x = t.data();
                for (int r = 0; r < t.rows(); r++) {
                    int off = t.offset(r);
                    for (int i = 0; i < d.length; i++) x[off + i] += d[i];
                }
            });
        }
        return hooks;
    }

    /** Adds the terms at {@code point} to one row of {@code x} starting at {@code offset} (for per-row steering). */
    public void addTo(HookPoint point, float[] x, int offset) {
        for (Term term : terms) {
            if (!term.point.equals(point)) continue;
            float[] d = term.delta;
            for (int i = 0; i < d.length; i++) x[offset + i] += d[i];
        }
    }

    /** The distinct hook points this steering writes. */
    public List<HookPoint> points() {
        List<HookPoint> out = new ArrayList<>();
        for (Term t : terms) if (!out.contains(t.point)) out.add(t.point);
        return out;
    }

    /**
     * A 64-bit fingerprint of the points and exact delta bits, never 0: KV entries computed under this steering are
     * keyed by it, so they are shared only with requests steered identically (0 is reserved for no steering).
     */
    public long fingerprint() {
        long h = 0x9E3779B97F4A7C15L;
        for (Term t : terms) {
            h = mix(h, t.point.site().ordinal());
            h = mix(h, t.point.layer());
            for (float v : t.delta) h = mix(h, Float.floatToIntBits(v));
        }
        return h == 0 ? 1 : h;
    }

    private static long mix(long h, int v) {
        h ^= v;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 31);
    }
}
