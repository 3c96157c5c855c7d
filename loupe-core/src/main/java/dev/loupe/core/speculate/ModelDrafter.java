package dev.loupe.core.speculate;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.Session;
import dev.loupe.core.sample.Sampler;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Drafts with a smaller model that shares the target's vocabulary (Leviathan et al.; llama.cpp's {@code --model-draft}):
 * k tokens, one forward pass of the draft model each. Under greedy decoding it guesses its own argmax; otherwise it
 * draws from its own final distribution under the same sampling chain and hands that distribution over with the guess.
 *
 * <p>Its session keeps the tokens it has fed; each round it rewinds to where they first differ from the context
 * (the first rejected guess) and feeds only what is new, usually one or two tokens.
 *
 * <p>With a minimum confidence (llama.cpp's {@code --draft-p-min}) it stops guessing at the first position where its
 * own most likely token has less than that probability: a guess the draft itself doubts is usually rejected, and each
 * costs a draft step and a verify row. The output stays exact: whether to guess depends on the draft alone, and
 * every position the target emits is still drawn from (or checked against) the target's distribution.
 */
public final class ModelDrafter implements Drafter {
    private final Session session;
    private final AutoCloseable owned;
    private final String name;
    private final float[] row;
    private final float minConfidence;
    /** The tokens in the draft session's cache, in order: fed[0..session.position()). */
    private int[] fed;
    private Sampler sampler;
    private SplittableRandom random;
    private boolean greedy = true;

    /**
     * @param session a fresh session of the draft model, with at least the target's context length
     * @throws LoupeException when the two vocabularies differ: guesses are token ids, so they must mean the same text
     */
    public ModelDrafter(Session session, Tokenizer draftTokenizer, Tokenizer targetTokenizer, int targetVocab, String name) {
        this(session, draftTokenizer, targetTokenizer, targetVocab, name, null, 0);
    }

    /**
     * As above, also closing {@code owned} (the draft model, when this drafter is its only user) on {@link #close},
     * and guessing only while the draft's top token has at least probability {@code minConfidence} (0: always k).
     */
    public ModelDrafter(Session session, Tokenizer draftTokenizer, Tokenizer targetTokenizer, int targetVocab, String name,
                        AutoCloseable owned, float minConfidence) {
        if (!(minConfidence >= 0 && minConfidence < 1)) throw new LoupeException("the draft's minimum confidence must be in [0, 1), got " + minConfidence);
        requireSameVocabulary(draftTokenizer, session.model().config().vocabSize(), targetTokenizer, targetVocab);
        this.owned = owned;
        this.session = session;
        this.name = name;
        this.row = new float[targetVocab];
        this.minConfidence = minConfidence;
        this.fed = new int[Math.min(session.contextLength(), 1024)];
    }

    /**
     * Checks that draft and target read token ids alike: same tokenizer kind, vocabulary size, every token's text,
     * and BOS/EOS. llama.cpp tolerates a size difference of up to 128 padding ids; here the logit rows are compared
     * id for id, so the sizes must be equal.
     */
    static void requireSameVocabulary(Tokenizer draft, int draftVocab, Tokenizer target, int targetVocab) {
        String hint = "; speculative decoding needs a draft model with the target's tokenizer";
        if (draft.vocabSize() != target.vocabSize()) {
            throw new LoupeException("the draft model's vocabulary has " + draft.vocabSize() + " tokens, the target's " + target.vocabSize() + hint);
        }
        if (draftVocab != targetVocab) {
            throw new LoupeException("the draft model has " + draftVocab + " output rows, the target " + targetVocab + hint);
        }
        if (draft.kind() != target.kind()) throw new LoupeException("the draft model's tokenizer is " + draft.kind() + ", the target's " + target.kind() + hint);
        for (int id = 0; id < target.vocabSize(); id++) {
            if (!draft.piece(id).equals(target.piece(id))) {
                throw new LoupeException("token " + id + " is '" + draft.piece(id) + "' for the draft model but '" + target.piece(id) + "' for the target" + hint);
            }
        }
        if (draft.bos() != target.bos() || draft.eos() != target.eos()) throw new LoupeException("the draft model's BOS/EOS differ from the target's" + hint);
    }

    @Override
    public void start(int[] context, int length, SamplingParams params, long seed) {
        this.sampler = new Sampler(params.withSeed(seed));
        this.random = new SplittableRandom(seed);
        this.greedy = params.isGreedy();
        session.rewind(0);
        if (length > 0) feed(context, 0, length, false);
    }

    @Override
    public int propose(int[] context, int length, int max, Draft draft) {
        if (max <= 0) return 0;
        if (length + max - 1 > session.contextLength()) max = session.contextLength() - length + 1;
        if (max <= 0) return 0;
        // Keep the longest prefix the cache shares with the context, but feed at least one token to get logits.
        int keep = 0, have = session.position();
        while (keep < have && keep < length && fed[keep] == context[keep]) keep++;
        keep = Math.min(keep, length - 1);
        session.rewind(keep);
        float[] logits = feed(context, keep, length, true);
        draft.setSampled(!greedy);
        for (int i = 0; i < max; i++) {
            System.arraycopy(logits, 0, row, 0, row.length);
            int token;
            if (greedy) {
                if (minConfidence > 0 && topProbability(row) < minConfidence) return i;
                token = sampler.sample(row, fed, session.position());
            } else {
                float[] q = draft.probs(i);
                sampler.distribution(row, fed, session.position(), q);
                if (minConfidence > 0 && max(q) < minConfidence) return i;
                token = Categorical.draw(q, row.length, random);
            }
            draft.setToken(i, token);
            if (i + 1 < max) logits = feedOne(token);
        }
        return max;
    }

    /** The probability softmax gives the largest logit: 1 / sum exp(l - max). */
    static double topProbability(float[] logits) {
        float top = max(logits);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - top);
        return 1 / sum;
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) m = Math.max(m, x);
        return m;
    }

    /** Feeds context[from..to) (batched when more than one) and records it; returns the last logits if asked. */
    private float[] feed(int[] context, int from, int to, boolean wantLogits) {
        ensureRoom(to);
        System.arraycopy(context, from, fed, from, to - from);
        if (to - from == 1) return session.forward(context[from], wantLogits);
        return session.prefill(Arrays.copyOfRange(context, from, to));
    }

    private float[] feedOne(int token) {
        ensureRoom(session.position() + 1);
        fed[session.position()] = token;
        return session.forward(token, true);
    }

    private void ensureRoom(int n) {
        if (n > fed.length) fed = Arrays.copyOf(fed, Math.max(n, Math.min(session.contextLength(), fed.length * 2)));
    }

    @Override
    public String describe() {
        return "model " + name + (minConfidence > 0 ? " p-min " + minConfidence : "");
    }

    @Override
    public void close() {
        session.close();
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the draft model", e);
            }
        }
    }
}
