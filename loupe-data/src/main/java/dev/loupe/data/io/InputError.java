package dev.loupe.data.io;

import java.io.Serializable;

/** A piece of input that could not be read: which file, which line (1-based), and why. */
public record InputError(String file, long line, Kind kind, String message) implements Serializable {
    public enum Kind { BAD_JSON, INVALID_UTF8, TRUNCATED, MISSING_TEXT }

    @Override
    public String toString() {
        return file + ":" + line + ": " + kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
    }
}
