package dev.loupe.data.io;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.loupe.core.LoupeException;

import java.nio.file.Path;
import java.util.Locale;

/** How an input file is cut into documents. */
public enum InputFormat {
    /** One JSON object per line with a string field holding the text. */
    JSONL,
    /** Plain text; one document per blank-line-separated paragraph. */
    TEXT_PARAGRAPHS,
    /** Plain text; one document per non-empty line. */
    TEXT_LINES,
    /** Plain text; the whole file is one document. */
    TEXT_FILE,
    /** Parquet; one document per row (see {@code ParquetDocReader}). */
    PARQUET;

    /** Format for a file when the spec names none: Parquet or JSONL by extension, else paragraphs of text. */
    public static InputFormat guess(Path file) {
        if (file.getFileName().toString().endsWith(".parquet")) return PARQUET;
        String n = file.getFileName().toString().replaceFirst("\\.(gz|zst|zstd)$", "");
        return n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson") ? JSONL : TEXT_PARAGRAPHS;
    }

    @JsonCreator
    public static InputFormat parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "jsonl", "json" -> JSONL;
            case "text", "paragraphs", "text_paragraphs" -> TEXT_PARAGRAPHS;
            case "lines", "text_lines" -> TEXT_LINES;
            case "file", "text_file" -> TEXT_FILE;
            case "parquet" -> PARQUET;
            default -> throw new LoupeException("unknown input format '" + s + "' (jsonl, text, lines, file, parquet)");
        };
    }

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
