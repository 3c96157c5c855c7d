package dev.loupe.core.sample;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits with llama.cpp's default chain: penalties, top-k, top-p, min-p, temperature,
 * then a draw from the remaining distribution. Temperature 0 or below is greedy (argmax, ties to the lowest id).
 *
 * <p>One instance per sequence and not thread-safe: it owns its random stream (seeded, so the same seed and inputs
 * give the same tokens) and its work buffers, which are allocated on the first call and reused, so a step
 * allocates nothing.
 */
public final class Sampler {
    private final SamplingParams params;
    private final long seed;
    private final SplittableRandom random;
    private final Candidates candidates = new Candidates();
    private final Penalties penalties = new Penalties();
    private final LogprobCalculator logprobs = new LogprobCalculator();

    public Sampler(SamplingParams params) {
        this.params = params;
        this.seed = params.seed() == SamplingParams.RANDOM_SEED ? new SecureRandom().nextLong() : params.seed();
        this.random = new SplittableRandom(seed);
    }

    public SamplingParams params() {
        return params;
    }

    /** The seed in use: the given one, or the one drawn for {@link SamplingParams#RANDOM_SEED}, to reproduce a run. */
    public long seed() {
        return seed;
    }

    public int sample(float[] logits) {
        return sample(logits, null, 0);
    }

    /**
     * @param logits one per vocabulary entry; not modified
     * @param history the tokens so far (prompt and generated), of which the penalties look at the last
     *     {@code penaltyLastN}; may be null when penalties are off
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        return sample(logits, history, historyLength, null);
    }

    /** As {@link #sample(float[], int[], int)}, with the tokens {@code mask} forbids out of the running (null: none). */
    public int sample(float[] logits, int[] history, int historyLength, TokenMask mask) {
        if (chain(logits, history, historyLength, mask)) return argmax(candidates.logits, logits.length);
        return draw(candidates);
    }

    /**
     * The distribution {@link #sample} draws from, after the whole chain: probs[id] for every id of the vocabulary
     * ({@code logits.length}), zero for the tokens truncation dropped; one-hot on the argmax when greedy. Speculative
     * decoding compares these (target against draft) to keep the target's distribution exact.
     */
    public void distribution(float[] logits, int[] history, int historyLength, float[] probs) {
        int n = logits.length;
        boolean greedy = chain(logits, history, historyLength, null);
        java.util.Arrays.fill(probs, 0, n, 0f);
        Candidates c = candidates;
        if (greedy) {
            probs[argmax(c.logits, n)] = 1f;
            return;
        }
        double sum = weights(c);
        for (int i = 0; i < c.size; i++) probs[c.ids[i]] = (float) (c.probs[i] / sum);
    }

    /** Loads the candidates and runs the chain up to the draw; true when greedy (then nothing is truncated). */
    private boolean chain(float[] logits, int[] history, int historyLength, TokenMask mask) {
        int n = logits.length;
        Candidates c = candidates;
        c.reset(logits, n);
        if (mask != null) mask.apply(c.logits, n);
        penalties.apply(c.logits, n, history, historyLength, params);
        if (params.isGreedy()) return true;
        Truncation.topK(c, params.topK());
        Truncation.topP(c, params.topP());
        Truncation.minP(c, params.minP());
        Truncation.temperature(c, params.temperature());
        return false;
    }

    /** Log-probabilities of {@code chosen} and the top {@code params.logprobs()} tokens under the raw logits. */
    public Logprobs logprobs(float[] logits, int chosen) {
        return logprobs.compute(logits, logits.length, chosen, params.logprobs());
    }

    /** The unnormalized weights the draw walks, exp(logit - max) in float as llama.cpp has them, into c.probs; returns their sum. */
    private static double weights(Candidates c) {
        float max = c.maxLogit();
        double sum = 0;
        for (int i = 0; i < c.size; i++) {
            float w = (float) Math.exp(c.logits[i] - max);
            c.probs[i] = w;
            sum += w;
        }
        return sum;
    }

    /** First index of the maximum, so ties go to the lowest token id. */
    static int argmax(float[] logits, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /** llama.cpp's dist sampler: one uniform draw, walk the unnormalized weights until their sum passes it. */
    private int draw(Candidates c) {
        double u = random.nextDouble();
        if (c.size == 1) return c.ids[0];
        double sum = weights(c);
        double target = sum * u;
        double run = 0;
        for (int i = 0; i < c.size; i++) {
            run += c.probs[i];
            if (run >= target && c.probs[i] > 0) return c.ids[i]; // never a -inf token, even when u is 0
        }
        return c.ids[c.size - 1];
    }
}
