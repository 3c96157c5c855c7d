package dev.loupe.data.io;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.loupe.core.LoupeException;

import java.util.Locale;

/** The file format of output shards. */
public enum OutputFormat {
    /** {@code {"id","text","metadata"}} per line, compressed as a whole stream. */
    JSONL,
    /** Columns id, text, metadata (JSON); compressed per column chunk. */
    PARQUET;

    /** The shard's file name: JSONL carries the stream compression's extension, Parquet compresses inside. */
    public String fileName(int shard, Compression c) {
        return this == JSONL ? "%05d.jsonl%s".formatted(shard, c.extension()) : "%05d.parquet".formatted(shard);
    }

    @JsonCreator
    public static OutputFormat parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "jsonl", "json" -> JSONL;
            case "parquet" -> PARQUET;
            default -> throw new LoupeException("unknown output format '" + s + "' (jsonl, parquet)");
        };
    }

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
