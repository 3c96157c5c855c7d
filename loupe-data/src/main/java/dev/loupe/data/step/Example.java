package dev.loupe.data.step;

import java.io.Serializable;

/**
 * A document a step dropped or changed, kept for the report. {@code after} is null for a drop. Texts are cut to
 * a readable length so a report of a million-document run stays small.
 */
public record Example(String reason, String id, String before, String after) implements Serializable {
    static final int MAX_CHARS = 600;

    public static Example of(String reason, String id, String before, String after) {
        return new Example(reason, id, cut(before), after == null ? null : cut(after));
    }

    private static String cut(String s) {
        return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS) + " […]";
    }
}
