package dev.loupe.data.pipeline;

import dev.loupe.data.io.Compression;

import java.io.Serializable;

/**
 * Where to write: one JSONL shard per input shard in {@code dir}, plus {@code stats.json} and {@code report.html}.
 *
 * @param examples how many examples per step and reason to keep for the report (default 5)
 */
public record OutputSpec(String dir, Compression compression, Integer examples) implements Serializable {
    public OutputSpec {
        if (dir == null || dir.isBlank()) throw new dev.loupe.core.LoupeException("output.dir is missing");
        compression = compression == null ? Compression.GZIP : compression;
        examples = examples == null ? 5 : examples;
    }
}
