package dev.loupe.data.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.data.Document;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes one output shard as JSONL ({@code {"id","text","metadata"}} per line), atomically (see {@link DocWriter}).
 */
public final class ShardWriter implements DocWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path target;
    private final Path temp;
    private final OutputStream out;
    private final JsonGenerator gen;
    private boolean committed;

    public ShardWriter(Path target, Compression compression) {
        this.target = target;
        this.temp = DocWriter.tempFor(target);
        try {
            Files.createDirectories(target.getParent());
            out = compression.wrap(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16));
            gen = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8);
            gen.setRootValueSeparator(null);
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(Document d) {
        try {
            gen.writeStartObject();
            gen.writeStringField("id", d.id());
            gen.writeStringField("text", d.text());
            if (!d.metadata().isEmpty()) {
                gen.writeFieldName("metadata");
                gen.writeStartObject();
                for (Map.Entry<String, Object> e : d.metadata().entrySet()) {
                    gen.writeFieldName(e.getKey());
                    JSON.writeValue(gen, e.getValue());
                }
                gen.writeEndObject();
            }
            gen.writeEndObject();
            gen.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(temp + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void commit() {
        try {
            gen.close();
            out.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": " + e.getMessage(), e);
        }
    }

    /** Without a commit, the temporary file is removed: nothing partial is left behind. */
    @Override
    public void close() {
        if (committed) return;
        try {
            gen.close();
            out.close();
        } catch (IOException ignored) {
            // the file is being discarded anyway
        }
        DocWriter.discard(temp);
    }
}
