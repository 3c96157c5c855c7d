package dev.loupe.eval.judge;

import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.sample.SamplingParams;

import java.util.List;
import java.util.Map;

/** Asks a judge model, greedily, so a judgment is reproducible and cacheable. */
public final class Judge {
    private final LanguageModel model;
    private final int maxTokens;

    public Judge(LanguageModel model, int maxTokens) {
        this.model = model;
        this.maxTokens = maxTokens;
    }

    public String name() {
        return model.name();
    }

    public String ask(JudgePrompt prompt, Map<String, String> fields) {
        return model.complete(prompt.render(fields), SamplingParams.greedy().withMaxTokens(maxTokens).withStop(List.of()), null).text();
    }
}
