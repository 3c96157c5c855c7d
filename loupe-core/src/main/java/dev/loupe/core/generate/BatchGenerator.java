package dev.loupe.core.generate;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.Forward;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.Sampler;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.sample.StopMatcher;
import dev.loupe.core.tokenizer.StreamingDecoder;
import dev.loupe.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * N sampled continuations of one prompt, as inference-time search wants them: the prompt is computed once and
 * its keys and values copied to N sessions, then all unfinished sequences advance together, one
 * {@link Forward#decode} (one pass over the weights) per step. Candidate i samples with seed {@code seed + i},
 * so a run is reproducible and candidate i does not depend on how many others there are.
 * Not thread-safe. Penalties are not applied (each candidate would need its own history window); callers that
 * want them use {@link Generator}.
 */
public final class BatchGenerator implements AutoCloseable {
    private final Model model;
    private final Tokenizer tokenizer;
    private final Forward forward;
    private final Session[] sessions;
    private final int contextLength;

    public BatchGenerator(Model model, Tokenizer tokenizer, ThreadPool pool, int maxCandidates, int contextLength) {
        if (maxCandidates < 1) throw new IllegalArgumentException("maxCandidates must be at least 1");
        this.model = model;
        this.tokenizer = tokenizer;
        this.contextLength = Math.min(contextLength, model.config().contextLength());
        this.forward = new Forward(model, pool, Math.max(Session.PREFILL_BATCH, maxCandidates), this.contextLength);
        this.sessions = new Session[maxCandidates];
        for (int i = 0; i < maxCandidates; i++) sessions[i] = new Session(model, this.contextLength, forward);
    }

    public int maxCandidates() {
        return sessions.length;
    }

    /** {@code n} continuations of {@code promptIds}; each result's promptNanos is the shared prompt's time. */
    public List<GenerationResult> generate(int[] promptIds, int n, SamplingParams params) {
        if (n < 1 || n > sessions.length) throw new IllegalArgumentException("n must be in [1, " + sessions.length + "]: " + n);
        if (promptIds.length == 0) throw new LoupeException("the prompt is empty");
        if (promptIds.length >= contextLength) {
            throw new LoupeException("the prompt (" + promptIds.length + " tokens) does not fit the context of " + contextLength + " tokens");
        }
        long t0 = System.nanoTime();
        sessions[0].rewind(0);
        float[] first = sessions[0].prefill(promptIds).clone();
        for (int i = 1; i < n; i++) sessions[i].copyPrefixFrom(sessions[0], promptIds.length);
        long t1 = System.nanoTime();

        Candidate[] cands = new Candidate[n];
        for (int i = 0; i < n; i++) {
            long seed = params.seed() == SamplingParams.RANDOM_SEED ? SamplingParams.RANDOM_SEED : params.seed() + i;
            cands[i] = new Candidate(new Sampler(params.withSeed(seed)), new StreamingDecoder(tokenizer),
                    new StopMatcher(params.stop()));
        }
        // Row r of the batch belongs to candidate active[r]; finished candidates leave the batch.
        int[] active = new int[n];
        int[] tokens = new int[n];
        Session[] batch = new Session[n];
        int live = 0;
        for (int i = 0; i < n; i++) {
            if (!cands[i].accept(first, params, tokenizer)) {
                active[live] = i;
                tokens[live] = cands[i].last;
                batch[live] = sessions[i];
                live++;
            }
        }
        int vocab = model.config().vocabSize();
        float[] row = new float[vocab];
        while (live > 0) {
            float[] logits = forward.decode(batch, tokens, live);
            int kept = 0;
            for (int r = 0; r < live; r++) {
                int i = active[r];
                System.arraycopy(logits, r * vocab, row, 0, vocab);
                boolean done = cands[i].accept(row, params, tokenizer);
                if (!done && sessions[i].position() >= contextLength) {
                    cands[i].flush();   // context full: finishes as LENGTH with what it has
                    done = true;
                }
                if (!done) {
                    active[kept] = i;
                    tokens[kept] = cands[i].last;
                    batch[kept] = sessions[i];
                    kept++;
                }
            }
            live = kept;
        }
        long t2 = System.nanoTime();
        List<GenerationResult> out = new ArrayList<>(n);
        for (Candidate c : cands) out.add(c.result(promptIds, t1 - t0, t2 - t1));
        return out;
    }

    /** One sequence's sampling state. */
    private static final class Candidate {
        final Sampler sampler;
        final StreamingDecoder decoder;
        final StopMatcher stops;
        final StringBuilder text = new StringBuilder();
        int[] ids = new int[16];
        int count;
        int last;
        FinishReason reason = FinishReason.LENGTH;
        String stopString;

        Candidate(Sampler sampler, StreamingDecoder decoder, StopMatcher stops) {
            this.sampler = sampler;
            this.decoder = decoder;
            this.stops = stops;
        }

        /** Samples the next token from {@code logits}; true when this candidate is finished. */
        boolean accept(float[] logits, SamplingParams params, Tokenizer tokenizer) {
            last = sampler.sample(logits);
            if (count == ids.length) ids = Arrays.copyOf(ids, count * 2);
            ids[count++] = last;
            if (tokenizer.isEndOfGeneration(last)) {
                reason = FinishReason.STOP;
                flush();
                return true;
            }
            StopMatcher.Step step = stops.append(decoder.accept(last));
            text.append(step.text());
            if (step.stopped()) {
                reason = FinishReason.STOP;
                stopString = step.stop();
                return true;
            }
            if (params.maxTokens() >= 0 && count >= params.maxTokens()) {
                flush();
                return true;
            }
            return false;
        }

        void flush() {
            text.append(stops.append(decoder.flush()).text()).append(stops.flush());
        }

        GenerationResult result(int[] promptIds, long promptNanos, long genNanos) {
            return new GenerationResult(promptIds, Arrays.copyOf(ids, count), text.toString(), reason, stopString,
                    promptNanos, genNanos, List.of());
        }
    }

    @Override
    public void close() {
        // Sessions share the caller's pool through the forward engine; nothing of their own to release.
    }
}
