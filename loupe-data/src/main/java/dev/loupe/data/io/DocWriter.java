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

    /** A writer for {@code format}; Parquet maps the compression onto its own column codecs. */
    static DocWriter open(java.nio.file.Path target, OutputFormat format, Compression compression) {
        return switch (format) {
            case JSONL -> new ShardWriter(target, compression);
            case PARQUET -> new ParquetShardWriter(target, compression);
        };
    }
}
