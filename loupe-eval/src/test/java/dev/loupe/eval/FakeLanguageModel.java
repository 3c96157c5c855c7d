package dev.loupe.eval;

import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.sample.SamplingParams;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A deterministic test double whose answers the test chooses: log-likelihoods from a function of (context,
 * continuation), completions from a function of the prompt. Counts calls and can fail after a given number of
 * them, to simulate a run killed mid-way.
 */
public final class FakeLanguageModel implements LanguageModel {
    public final AtomicInteger calls = new AtomicInteger();
    private final BiFunction<String, String, LogLikelihood> ll;
    private final BiFunction<String, SamplingParams, String> completion;
    private final int failAfter;
    private final String name;

    public FakeLanguageModel(String name, BiFunction<String, String, LogLikelihood> ll, Function<String, String> completion, int failAfter) {
        this(name, ll, (p, params) -> completion.apply(p), failAfter);
    }

    private FakeLanguageModel(String name, BiFunction<String, String, LogLikelihood> ll, BiFunction<String, SamplingParams, String> completion,
                              int failAfter) {
        this.name = name;
        this.ll = ll;
        this.completion = completion;
        this.failAfter = failAfter;
    }

    /** Completions from (prompt, sampling settings): a sampled model whose draws depend on the seed. */
    public static FakeLanguageModel sampling(BiFunction<String, SamplingParams, String> completion) {
        return new FakeLanguageModel("fake-sampler", (c, x) -> { throw new UnsupportedOperationException(); }, completion, -1);
    }

    /** Log-likelihoods looked up in a table keyed by continuation; anything else is -100. */
    public static FakeLanguageModel table(Map<String, Double> byContinuation) {
        Map<String, Double> t = new HashMap<>(byContinuation);
        return new FakeLanguageModel("fake", (c, x) -> new LogLikelihood(t.getOrDefault(x, -100.0), false, x.length()), p -> "", -1);
    }

    /** A stable pseudo-random log-likelihood for any request. */
    public static FakeLanguageModel hashing(int failAfter) {
        return new FakeLanguageModel("fake-hash",
                (c, x) -> new LogLikelihood(-1 - Math.floorMod((c + "|" + x).hashCode(), 1000) / 100.0, x.length() % 2 == 0, x.length()),
                p -> " " + Math.floorMod(p.hashCode(), 100), failAfter);
    }

    private void tick() {
        int n = calls.incrementAndGet();
        if (failAfter >= 0 && n > failAfter) throw new IllegalStateException("injected failure at call " + n);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public LogLikelihood logLikelihood(String context, String continuation) {
        tick();
        return ll.apply(context, continuation);
    }

    @Override
    public Completion complete(String prompt, SamplingParams params, Consumer<String> onText) {
        tick();
        String text = completion.apply(prompt, params);
        return new Completion(text, prompt.length(), text.length(), "stop");
    }
}
