package dev.loupe.eval.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.sample.SamplingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@link LanguageModel} that answers from a {@link ResponseCache} when it can and records every new answer, so
 * an interrupted run resumes without repeating a call. Keys include the model's name and every request field.
 * Sampled generations with a random seed are not cached: replaying one would pretend to be a fresh draw.
 */
public final class CachingLanguageModel implements LanguageModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LanguageModel inner;
    private final ResponseCache cache;
    // Counted so a resumed run can say how much it reused: the evidence that finished samples were not recomputed.
    private final AtomicLong reused = new AtomicLong(), computed = new AtomicLong();

    public CachingLanguageModel(LanguageModel inner, ResponseCache cache) {
        this.inner = inner;
        this.cache = cache;
    }

    @Override
    public String name() {
        return inner.name();
    }

    private String llKey(Request r) {
        return ResponseCache.key("loglikelihood", inner.name(), r.context(), r.continuation());
    }

    @Override
    public LogLikelihood logLikelihood(String context, String continuation) {
        return logLikelihoods(List.of(new Request(context, continuation))).getFirst();
    }

    /** Only the misses go to the backend, still as one batch so it can share their prefix. */
    @Override
    public List<LogLikelihood> logLikelihoods(List<Request> requests) {
        LogLikelihood[] out = new LogLikelihood[requests.size()];
        List<Request> misses = new ArrayList<>();
        List<Integer> where = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            JsonNode hit = cache.get(llKey(requests.get(i)));
            if (hit != null) out[i] = JSON.convertValue(hit, LogLikelihood.class);
            else { misses.add(requests.get(i)); where.add(i); }
        }
        reused.addAndGet(requests.size() - misses.size());
        computed.addAndGet(misses.size());
        if (!misses.isEmpty()) {
            List<LogLikelihood> got = inner.logLikelihoods(misses);
            for (int j = 0; j < misses.size(); j++) {
                out[where.get(j)] = got.get(j);
                cache.put(llKey(misses.get(j)), JSON.valueToTree(got.get(j)));
            }
        }
        return List.of(out);
    }

    @Override
    public Completion complete(String prompt, SamplingParams params, Consumer<String> onText) {
        boolean deterministic = params.isGreedy() || params.seed() != SamplingParams.RANDOM_SEED;
        if (!deterministic) {
            computed.incrementAndGet();
            return inner.complete(prompt, params, onText);
        }
        String key = ResponseCache.key("complete", inner.name(), prompt, params.toString());
        JsonNode hit = cache.get(key);
        if (hit != null) {
            reused.incrementAndGet();
            Completion c = JSON.convertValue(hit, Completion.class);
            if (onText != null) onText.accept(c.text());
            return c;
        }
        computed.incrementAndGet();
        Completion c = inner.complete(prompt, params, onText);
        cache.put(key, JSON.valueToTree(c));
        return c;
    }

    /** Requests answered from the cache so far. */
    public long reused() {
        return reused.get();
    }

    /** Requests sent to the backend so far. */
    public long computed() {
        return computed.get();
    }

    /** Lines of the cache file that were cut short by a kill mid-write and dropped on load (their requests are asked again). */
    public int tornLines() {
        return cache.tornLines();
    }

    @Override
    public void close() {
        try {
            inner.close();
        } finally {
            cache.close();
        }
    }
}
