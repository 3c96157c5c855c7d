package dev.loupe.think.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.sandbox.Language;
import dev.loupe.think.strategy.Problem;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads problems from JSONL, one object per line: {@code prompt} (or GSM8K's {@code question}), {@code answer}
 * (GSM8K's worked answer is reduced to what follows {@code ####}), optional {@code id}, and for code tasks
 * {@code tests} and {@code language} ("python" or "java"). A template with {@code {prompt}} wraps each prompt.
 */
public final class TaskFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskFile() {}

    public static List<Problem> read(Path file, String template, int limit) {
        if (!Files.isRegularFile(file)) throw new LoupeException("no task file at " + file);
        List<Problem> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null && (limit <= 0 || out.size() < limit)) {
                lineNo++;
                if (line.isBlank()) continue;
                out.add(parse(line, lineNo, file, template));
            }
        } catch (IOException e) {
            throw new LoupeException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) throw new LoupeException(file + " has no problems");
        return out;
    }

    private static Problem parse(String line, int lineNo, Path file, String template) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            throw new LoupeException(file + ":" + lineNo + ": not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        String prompt = text(n, "prompt");
        if (prompt == null) prompt = text(n, "question");
        if (prompt == null) throw new LoupeException(file + ":" + lineNo + ": needs a \"prompt\" (or \"question\") field");
        String answer = text(n, "answer");
        if (answer != null && answer.contains("####")) answer = answer.substring(answer.lastIndexOf("####") + 4).strip();
        String id = text(n, "id");
        if (id == null) id = text(n, "task_id");
        if (id == null) id = "line-" + lineNo;
        String tests = text(n, "tests");
        Language language = null;
        if (tests != null) {
            String l = n.path("language").asText("python").toLowerCase(Locale.ROOT);
            language = switch (l) {
                case "python", "py" -> Language.PYTHON;
                case "java" -> Language.JAVA;
                default -> throw new LoupeException(file + ":" + lineNo + ": language must be python or java, not " + l);
            };
        }
        String wrapped = template == null ? prompt : template.replace("{prompt}", prompt);
        return new Problem(id, wrapped, answer, tests, language);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
