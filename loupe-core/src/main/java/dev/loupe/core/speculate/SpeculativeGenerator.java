package dev.loupe.core.speculate;

import dev.loupe.core.LoupeException;
import dev.loupe.core.generate.FinishReason;
import dev.loupe.core.generate.GenerationResult;
import dev.loupe.core.model.Session;
import dev.loupe.core.sample.Logprobs;
import dev.loupe.core.sample.Sampler;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.sample.StopMatcher;
import dev.loupe.core.tokenizer.StreamingDecoder;
import dev.loupe.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Speculative decoding (Leviathan et al. 2023). Each round: the drafter guesses up to k tokens after the context; the
 * target runs the last context token and the k guesses as one batch of k + 1 rows, which yields its distribution at
 * every guessed position; guesses are kept left to right by the {@link AcceptanceRule} until one is rejected, whose
 * replacement is drawn from the residual distribution; when all k are kept, a bonus token is drawn from the last row.
 * The target's KV cache is then rolled back ({@link Session#rewind}) to just the kept tokens.
 *
 * <p>The distributions compared are the <em>final</em> ones, after the whole sampling chain (penalties, top-k, top-p,
 * min-p, temperature), so the output follows exactly the distribution plain sampling with the same parameters has.
 * Greedy decoding is the one-hot case: a guess is kept while it is the target's argmax, and the output is plain greedy
 * decoding's, token for token.
 *
 * <p>The first round starts from the last prompt token, so even the first generated token is speculated.
 */
public final class SpeculativeGenerator {
    private final Session target;
    private final Tokenizer tokenizer;
    private final Drafter drafter;
    private final int draftTokens;
    private final AcceptanceRule rule;

    /** @param draftTokens k, the most tokens guessed per round (1 to the forward engine's batch size - 1) */
    public SpeculativeGenerator(Session target, Tokenizer tokenizer, Drafter drafter, int draftTokens) {
        this(target, tokenizer, drafter, draftTokens, AcceptanceRule.LEVIATHAN);
    }

    SpeculativeGenerator(Session target, Tokenizer tokenizer, Drafter drafter, int draftTokens, AcceptanceRule rule) {
        int most = target.forwardEngine().maxBatch() - 1;
        if (draftTokens < 1 || draftTokens > most) throw new LoupeException("--draft-k must be between 1 and " + most + ", got " + draftTokens);
        this.target = target;
        this.tokenizer = tokenizer;
        this.drafter = drafter;
        this.draftTokens = draftTokens;
        this.rule = rule;
    }

    /** Generates from an empty session; {@code onText} receives text as soon as it is final (may be null). */
    public SpeculativeResult generate(int[] promptIds, SamplingParams params, Consumer<String> onText) {
        if (target.position() != 0) throw new IllegalStateException("speculative generation starts from an empty session");
        if (promptIds.length == 0) throw new LoupeException("the prompt is empty");
        int ctx = target.contextLength();
        if (promptIds.length >= ctx) {
            throw new LoupeException("the prompt (" + promptIds.length + " tokens) does not fit the context of " + ctx + " tokens; raise --ctx-size");
        }
        int vocab = target.model().config().vocabSize();
        Sampler sampler = new Sampler(params);
        // Acceptance draws and the drafter's draws come from streams of their own, all derived from the one seed.
        SplittableRandom random = new SplittableRandom(sampler.seed() ^ 0x6A09E667F3BCC909L);
        Output out = new Output(params, onText, sampler);
        int[] all = new int[ctx + draftTokens + 2];
        int n = promptIds.length;
        System.arraycopy(promptIds, 0, all, 0, n);

        long t0 = System.nanoTime();
        if (n > 1) target.prefill(Arrays.copyOf(promptIds, n - 1));
        drafter.start(all, n - 1, params, sampler.seed() + 1);
        long t1 = System.nanoTime();

        int[] batch = new int[draftTokens + 1];
        float[] row = new float[vocab], p = new float[vocab], scratch = new float[vocab];
        Draft draft = new Draft(draftTokens, vocab);
        int passes = 0, drafted = 0, accepted = 0;
        boolean done = false;
        while (!done && n <= ctx && (params.maxTokens() < 0 || out.count < params.maxTokens())) {
            int base = target.position(); // every context token but the last is in the cache
            int remaining = params.maxTokens() < 0 ? Integer.MAX_VALUE : params.maxTokens() - out.count;
            int k = Math.min(draftTokens, Math.min(remaining - 1, ctx - n));
            int m = k > 0 ? drafter.propose(all, n, k, draft) : 0;
            batch[0] = all[n - 1];
            for (int i = 0; i < m; i++) batch[i + 1] = draft.token(i);
            float[] logits = target.forwardAll(batch, m + 1);
            passes++;
            drafted += m;

            int kept = 0, next = -1;
            while (kept < m) {
                System.arraycopy(logits, kept * vocab, row, 0, vocab);
                int x = draft.token(kept);
                if (params.isGreedy()) {
                    int best = sampler.sample(row, all, n);
                    if (best != x) next = best;
                } else {
                    sampler.distribution(row, all, n, p);
                    next = rule.verify(x, p, draft.sampled() ? draft.probs(kept) : null, vocab, random, scratch);
                }
                if (next >= 0) break;
                kept++;
                all[n++] = x;
                if (out.add(x, row)) {
                    done = true;
                    break;
                }
            }
            accepted += kept;
            if (!done) {
                if (next < 0) { // every guess kept: the last row gives a token for free
                    System.arraycopy(logits, m * vocab, row, 0, vocab);
                    next = sampler.sample(row, all, n);
                }
                all[n++] = next;
                done = out.add(next, row);
            }
            target.rewind(base + 1 + kept);
        }
        out.finish();
        long t2 = System.nanoTime();
        GenerationResult g = new GenerationResult(promptIds, Arrays.copyOf(out.ids, out.count), out.text.toString(), out.reason,
                out.stopString, t1 - t0, t2 - t1, out.logprobs);
        return new SpeculativeResult(g, new SpeculativeStats(passes, drafted, accepted));
    }

    /** The emitted tokens and text: end-of-generation, stop strings and streaming, one token at a time. */
    private final class Output {
        final SamplingParams params;
        final Consumer<String> onText;
        final Sampler sampler;
        final StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        final StopMatcher stops;
        final StringBuilder text = new StringBuilder();
        final List<Logprobs> logprobs = new ArrayList<>();
        int[] ids = new int[16];
        int count;
        FinishReason reason = FinishReason.LENGTH;
        String stopString;

        Output(SamplingParams params, Consumer<String> onText, Sampler sampler) {
            this.params = params;
            this.onText = onText;
            this.sampler = sampler;
            this.stops = new StopMatcher(params.stop());
        }

        /** Emits one token whose target logits are {@code logits}; true when generation ends with it. */
        boolean add(int token, float[] logits) {
            if (params.logprobs() > 0) logprobs.add(sampler.logprobs(logits, token));
            if (count == ids.length) ids = Arrays.copyOf(ids, count * 2);
            ids[count++] = token;
            if (tokenizer.isEndOfGeneration(token)) {
                reason = FinishReason.STOP;
                return true;
            }
            StopMatcher.Step step = stops.append(decoder.accept(token));
            emit(step.text());
            if (step.stopped()) {
                reason = FinishReason.STOP;
                stopString = step.stop();
                return true;
            }
            return false;
        }

        void finish() {
            if (stopString == null) emit(stops.append(decoder.flush()).text() + stops.flush());
        }

        private void emit(String s) {
            if (s.isEmpty()) return;
            text.append(s);
            if (onText != null) onText.accept(s);
        }
    }
}
