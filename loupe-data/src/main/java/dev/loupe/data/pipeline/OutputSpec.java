package dev.loupe.data.pipeline;

import dev.loupe.data.io.Compression;
import dev.loupe.data.io.OutputFormat;

import java.io.Serializable;

/**
 * Where to write: one shard per input shard in {@code dir}, plus {@code stats.json} and {@code report.html}.
 *
 * @param format   {@code jsonl} (default) or {@code parquet}
 * @param examples how many examples per step and reason to keep for the report (default 5)
 */
public record OutputSpec(String dir, OutputFormat format, Compression compression, Integer examples) implements Serializable {
    public OutputSpec {
        if (dir == null || dir.isBlank()) throw new dev.loupe.core.LoupeException("output.dir is missing");
        format = format == null ? OutputFormat.JSONL : format;
        compression = compression == null ? Compression.GZIP : compression;
        examples = examples == null ? 5 : examples;
    }

    /** JSONL output. */
    public OutputSpec(String dir, Compression compression, Integer examples) {
        this(dir, OutputFormat.JSONL, compression, examples);
    }
}
