package dev.loupe.lens.steer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompts for contrastive steering: one per line, blank lines skipped; a line that starts with '{' is a JSON object
 * whose {@code text} (or {@code prompt}) field is the prompt (JSONL).
 */
public final class PromptFile {
    private PromptFile() {}

    public static List<String> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new LoupeException("no such prompt file: " + file);
        } catch (IOException e) {
            throw new LoupeException("cannot read prompt file " + file + ": " + e.getMessage());
        }
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            if (!line.stripLeading().startsWith("{")) {
                out.add(line);
                continue;
            }
            JsonNode o;
            try {
                o = json.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new LoupeException(file + " line " + (i + 1) + " is not valid JSON: " + e.getOriginalMessage());
            }
            JsonNode t = o.has("text") ? o.get("text") : o.get("prompt");
            if (t == null || !t.isTextual()) throw new LoupeException(file + " line " + (i + 1) + " has no string field 'text' or 'prompt'");
            out.add(t.asText());
        }
        if (out.isEmpty()) throw new LoupeException("the prompt file " + file + " has no prompts");
        return out;
    }
}
