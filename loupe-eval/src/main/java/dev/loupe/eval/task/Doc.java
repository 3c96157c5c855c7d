package dev.loupe.eval.task;

import java.util.Map;

/** One data row, with where it came from so every error can name file and line. */
public record Doc(int index, String source, int line, Map<String, Object> fields) {
    public String where() {
        return source + " line " + line;
    }
}
