package dev.loupe.eval.judge;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.loupe.core.LoupeException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                JudgePrompt p;
                try {
                    p = JSON.readValue(line, JudgePrompt.class);
                } catch (IOException e) {
                    throw new LoupeException(file + " line " + n + ": not a judge prompt: " + e.getMessage().lines().findFirst().orElse(""));
                }
                if (p.name() == null || p.promptTemplate() == null) throw new LoupeException(file + " line " + n + ": judge prompt needs name and prompt_template");
                out.put(p.name(), p);
            }
        } catch (IOException e) {
            throw new LoupeException("cannot read judge prompts " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The text sent to the judge: system prompt, a blank line, the filled template. */
    public String render(Map<String, String> fields) {
        String body = promptTemplate();
        for (var e : fields.entrySet()) body = body.replace("{" + e.getKey() + "}", e.getValue());
        return (systemPrompt() == null || systemPrompt().isEmpty() ? "" : systemPrompt() + "\n\n") + body;
    }
}
