package dev.loupe.eval.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** MT-Bench reference answers (reference_answer_gpt-4.jsonl): question_id to the turns of the first choice. */
public final class References {
    private static final ObjectMapper JSON = new ObjectMapper();

    private References() {}

    public static Map<String, List<String>> load(Path file) {
        Map<String, List<String>> out = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                JsonNode o;
                try {
                    o = JSON.readTree(line);
                } catch (IOException e) {
                    throw new LoupeException(file + " line " + n + ": not JSON");
                }
                JsonNode turns = o.path("choices").path(0).path("turns");
                if (!o.has("question_id") || !turns.path(0).isTextual()) throw new LoupeException(file + " line " + n + ": needs question_id and choices[0].turns[0]");
                List<String> texts = new ArrayList<>();
                for (JsonNode t : turns) texts.add(t.asText());
                out.put(o.get("question_id").asText(), texts);
            }
        } catch (IOException e) {
            throw new LoupeException("cannot read references " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
