package dev.loupe.eval.judge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.LoupeException;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** MT-Bench reference answers (reference_answer_gpt-4.jsonl): question_id to the turns of the first choice. */
public final class References {
    private References() {}

    public static Map<String, List<String>> load(Path file) {
        Map<String, List<String>> out = new HashMap<>();
        JsonLines.read(file, "references", (n, o) -> {
            JsonNode turns = o.path("choices").path(0).path("turns");
            if (!o.has("question_id") || !turns.path(0).isTextual()) throw new LoupeException(file + " line " + n + ": needs question_id and choices[0].turns[0]");
            List<String> texts = new ArrayList<>();
            for (JsonNode t : turns) texts.add(t.asText());
            out.put(o.get("question_id").asText(), texts);
        });
        return out;
    }
}
