package dev.loupe.think;

import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.sample.SamplingParams;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A language model whose output distribution is known exactly, for checking strategies against hand-computed
 * accuracies. {@code script} maps the full prompt to a distribution over continuations; a completion draws one
 * with the request's seed, then cuts it at the first stop string as a real backend does. Each character counts
 * as one token. Log-likelihoods come from {@code judge}, which maps (context, continuation) to a log-probability.
 */
public final class ScriptedModel implements LanguageModel {
    private final Function<String, Map<String, Double>> script;
    private final java.util.function.BiFunction<String, String, Double> judge;
    int calls;

    public ScriptedModel(Function<String, Map<String, Double>> script, java.util.function.BiFunction<String, String, Double> judge) {
        this.script = script;
        this.judge = judge;
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public LogLikelihood logLikelihood(String context, String continuation) {
        return new LogLikelihood(judge.apply(context, continuation), false, continuation.length());
    }

    @Override
    public Completion complete(String prompt, SamplingParams params, Consumer<String> onText) {
        calls++;
        Map<String, Double> dist = script.apply(prompt);
        double u = new SplittableRandom(params.seed()).nextDouble();
        String text = null;
        double acc = 0;
        for (Map.Entry<String, Double> e : dist.entrySet()) {
            acc += e.getValue();
            text = e.getKey();
            if (u < acc) break;
        }
        int cut = text.length();
        String stop = null;
        for (String s : params.stop()) {
            int at = text.indexOf(s);
            if (at >= 0 && at < cut) {
                cut = at;
                stop = s;
            }
        }
        return new Completion(text.substring(0, cut), prompt.length(), cut + (stop == null ? 0 : 1),
                stop == null ? "length" : "stop", stop);
    }

    @Override
    public boolean reportsStopStrings() {
        return true;
    }
}
