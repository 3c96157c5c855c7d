package dev.loupe.eval.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a JSONL file row by row; blank lines are skipped, and a line that is not JSON is an error naming file and line. */
final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One parsed row with its 1-based line number. */
    interface Row {
        void accept(int line, JsonNode row);
    }

    private JsonLines() {}

    /** {@code what} names the file's role in the error when it cannot be read ("answers", "references"). */
    static void read(Path file, String what, Row row) {
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
                row.accept(n, o);
            }
        } catch (IOException e) {
            throw new LoupeException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }
}
