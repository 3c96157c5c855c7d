package dev.loupe.eval.judge;

import dev.loupe.core.LoupeException;
import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.sample.SamplingParams;

import java.util.List;
import java.util.Map;

/** Asks a judge model, greedily, so a judgment is reproducible and cacheable. */
public final class Judge {
    private final LanguageModel model;
    private final int maxTokens;
    private final Map<String, List<String>> references;

    public Judge(LanguageModel model, int maxTokens) {
        this(model, maxTokens, Map.of());
    }

    /** @param references reference answers per turn by answer id, for prompts with {ref_answer_1} (MT-Bench math) */
    public Judge(LanguageModel model, int maxTokens, Map<String, List<String>> references) {
        this.model = model;
        this.maxTokens = maxTokens;
        this.references = Map.copyOf(references);
    }

    public String name() {
        return model.name();
    }

    public String ask(JudgePrompt prompt, String id, Map<String, String> fields) {
        if (prompt.promptTemplate().contains("{ref_answer_1}")) {
            List<String> refs = references.get(id);
            int turns = prompt.multiTurn() ? 2 : 1;
            if (refs == null || refs.size() < turns) {
                throw new LoupeException("judge prompt '" + prompt.name() + "' needs " + (turns == 2 ? "two turns of reference answers" : "a reference answer")
                        + " for '" + id + "' (--references FILE)");
            }
            fields = new java.util.HashMap<>(fields);
            fields.put("ref_answer_1", refs.get(0));
            if (turns == 2) fields.put("ref_answer_2", refs.get(1));
        }
        return model.complete(prompt.render(fields), SamplingParams.greedy().withMaxTokens(maxTokens).withStop(List.of()), null).text();
    }
}
