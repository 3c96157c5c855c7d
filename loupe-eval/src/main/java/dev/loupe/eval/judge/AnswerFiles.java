package dev.loupe.eval.judge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.LoupeException;
import dev.loupe.eval.run.RunFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers for judging: a run folder of a generate_until task (samples.jsonl; the question is the row's prompt), or
 * a JSONL with {id, question, answer[, model, label]}.
 */
public final class AnswerFiles {
    private AnswerFiles() {}

    public static List<Answer> read(Path p) {
        boolean run = Files.isDirectory(p);
        Path file = run ? p.resolve(RunFiles.SAMPLES) : p;
        String model = run ? RunFiles.readResult(p).model() : null;
        List<Answer> out = new ArrayList<>();
        JsonLines.read(file, "answers", (n, o) -> {
            if (run) {
                JsonNode oc = o.path("outcome");
                String id = o.path("id").asText(o.path("index").asText());
                if (oc.has("turns")) {
                    JsonNode q = oc.path("turns"), ans = oc.path("outputs");
                    out.add(new Answer(id, q.path(0).asText().strip(), ans.path(0).asText().strip(), model, null,
                            q.has(1) ? q.path(1).asText().strip() : null, ans.has(1) ? ans.path(1).asText().strip() : null));
                } else {
                    if (!oc.has("output")) throw new LoupeException(file + " line " + n + ": not a generate_until sample (no output)");
                    out.add(new Answer(id, oc.path("prompt").asText().strip(), oc.path("output").asText().strip(), model, null));
                }
            } else {
                if (!o.hasNonNull("question") || !o.hasNonNull("answer")) throw new LoupeException(file + " line " + n + ": needs 'question' and 'answer'");
                out.add(new Answer(o.has("id") ? o.get("id").asText() : String.valueOf(n), o.get("question").asText(), o.get("answer").asText(),
                        o.path("model").asText(null), o.path("label").asText(null), o.path("question_2").asText(null), o.path("answer_2").asText(null)));
            }
        });
        return out;
    }
}
