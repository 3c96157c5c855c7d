package dev.loupe.data.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.data.Document;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes one output shard as Parquet, atomically (see {@link DocWriter}). Columns: {@code id} and {@code text}
 * (UTF-8 strings) and {@code metadata} (the metadata map as one JSON object, absent when empty): documents carry
 * free-form, per-document metadata, which a fixed column schema could not hold without losing types or keys.
 * {@link ParquetDocReader} reads the JSON back into metadata, so a Parquet output round-trips like a JSONL one.
 * <p>
 * Written through parquet-hadoop's {@link LocalOutputFile} with a {@link PlainParquetConfiguration} and
 * {@link ParquetCodecs}: no Hadoop file system or codec is involved. Stream compression maps to page codecs:
 * none, gzip (GZIP), zstd (ZSTD).
 */
public final class ParquetShardWriter implements DocWriter {
    public static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("id")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("text")
            .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.jsonType()).named("metadata")
            .named("document");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path target;
    private final Path temp;
    private final ParquetWriter<Group> writer;
    private final SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    private boolean closed;

    public ParquetShardWriter(Path target, Compression compression) {
        this.target = target;
        this.temp = DocWriter.tempFor(target);
        try {
            Files.createDirectories(target.getParent());
            writer = ExampleParquetWriter.builder(new LocalOutputFile(temp))
                    .withConf(new PlainParquetConfiguration())
                    .withType(SCHEMA)
                    .withCompressionCodec(codec(compression))
                    .withCodecFactory(ParquetCodecs.INSTANCE)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": " + e.getMessage(), e);
        }
    }

    private static CompressionCodecName codec(Compression c) {
        return switch (c) {
            case NONE -> CompressionCodecName.UNCOMPRESSED;
            case GZIP -> CompressionCodecName.GZIP;
            case ZSTD -> CompressionCodecName.ZSTD;
        };
    }

    @Override
    public void write(Document d) {
        Group g = groups.newGroup().append("id", d.id()).append("text", d.text());
        try {
            if (!d.metadata().isEmpty()) g.append("metadata", JSON.writeValueAsString(d.metadata()));
            writer.write(g);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metadata of " + d.id() + " is not JSON-serializable", e);
        } catch (IOException e) {
            throw new UncheckedIOException(temp + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void commit() {
        try {
            closed = true;
            writer.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": " + e.getMessage(), e);
        }
    }

    /** Without a commit, the temporary file is removed: nothing partial is left behind. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            writer.close();
        } catch (IOException | RuntimeException ignored) {
            // the file is being discarded anyway
        }
        DocWriter.discard(temp);
    }
}
