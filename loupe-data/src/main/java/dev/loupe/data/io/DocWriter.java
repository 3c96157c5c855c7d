package dev.loupe.data.io;

import dev.loupe.data.Document;

/**
 * Writes one output shard atomically: documents go to a temporary file beside the target, which only
 * {@link #commit} moves into place; closing without a commit deletes it. A killed run therefore leaves at most a
 * temporary file, never a half-written shard that a resumed run would take for a finished one.
 */
public sealed interface DocWriter extends AutoCloseable permits ShardWriter, ParquetShardWriter {
    void write(Document d);

    /** Finishes the file and moves it into place. */
    void commit();

    @Override
    void close();

    /** The temporary file beside {@code target} that a writer fills before the atomic move. */
    static java.nio.file.Path tempFor(java.nio.file.Path target) {
        return target.resolveSibling("." + target.getFileName() + ".tmp");
    }

    /** Deletes an uncommitted temporary file; a leftover one is ignored and overwritten by the next run. */
    static void discard(java.nio.file.Path temp) {
        try {
            java.nio.file.Files.deleteIfExists(temp);
        } catch (java.io.IOException ignored) {
            // see above: harmless
        }
    }

    /** A writer chosen by the file name: {@code .parquet} (ZSTD pages), else JSONL compressed by extension. */
    static DocWriter open(java.nio.file.Path target) {
        return target.getFileName().toString().endsWith(".parquet")
                ? new ParquetShardWriter(target, Compression.ZSTD)
                : new ShardWriter(target, Compression.of(target));
    }

    /** A writer for {@code format}; Parquet maps the compression onto its own column codecs. */
    static DocWriter open(java.nio.file.Path target, OutputFormat format, Compression compression) {
        return switch (format) {
            case JSONL -> new ShardWriter(target, compression);
            case PARQUET -> new ParquetShardWriter(target, compression);
        };
    }
}
