package dev.loupe.eval.judge;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One of MT-Bench's judge prompts (FastChat llm_judge/data/judge_prompts.jsonl): a system prompt and a template
 * with {question}, {answer} or {answer_a}/{answer_b}, and {ref_answer_1} for math.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JudgePrompt(String name, String type, String systemPrompt, String promptTemplate, String outputFormat, String category) {
    private static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    public static Map<String, JudgePrompt> load(Path file) {
        Map<String, JudgePrompt> out = new LinkedHashMap<>();
        JsonLines.read(file, "judge prompts", (n, row) -> {
            JudgePrompt p;
            try {
                p = JSON.treeToValue(row, JudgePrompt.class);
            } catch (IOException e) {
                throw new LoupeException(file + " line " + n + ": not a judge prompt: " + e.getMessage().lines().findFirst().orElse(""));
            }
            if (p.name() == null || p.promptTemplate() == null) throw new LoupeException(file + " line " + n + ": judge prompt needs name and prompt_template");
            out.put(p.name(), p);
        });
        return out;
    }

    /** FastChat's "-multi-turn" prompts: both turns shown, the judge asked about the second answer. */
    public boolean multiTurn() {
        return promptTemplate().contains("{question_2}");
    }

    /** The fields of single-answer grading: {question}, {answer}, or both turns for a multi-turn prompt. */
    public Map<String, String> single(Answer a) {
        if (!multiTurn()) return Map.of("question", a.question(), "answer", a.answer());
        requireSecondTurn(a);
        return Map.of("question_1", a.question(), "answer_1", a.answer(), "question_2", a.question2(), "answer_2", a.answer2());
    }

    /** The fields of a pairwise judgment with {@code a} shown as Assistant A. */
    public Map<String, String> pair(Answer a, Answer b) {
        if (!multiTurn()) return Map.of("question", a.question(), "answer_a", a.answer(), "answer_b", b.answer());
        requireSecondTurn(a);
        requireSecondTurn(b);
        return Map.of("question_1", a.question(), "question_2", a.question2(), "answer_a_1", a.answer(), "answer_b_1", b.answer(),
                "answer_a_2", a.answer2(), "answer_b_2", b.answer2());
    }

    private void requireSecondTurn(Answer a) {
        if (a.answer2() == null || a.question2() == null) {
            throw new LoupeException("judge prompt '" + name() + "' grades the second turn, but answer '" + a.id()
                    + "' has none (generate with a task that has follow_ups, such as mt_bench)");
        }
    }

    /** The text sent to the judge: system prompt, a blank line, the filled template. */
    public String render(Map<String, String> fields) {
        String body = promptTemplate();
        for (var e : fields.entrySet()) body = body.replace("{" + e.getKey() + "}", e.getValue());
        return (systemPrompt() == null || systemPrompt().isEmpty() ? "" : systemPrompt() + "\n\n") + body;
    }
}
