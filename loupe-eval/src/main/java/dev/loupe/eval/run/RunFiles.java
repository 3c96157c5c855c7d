package dev.loupe.eval.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.AtomicFile;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** A run's folder: results.json (the summary) and samples.jsonl (one line per row, written as rows finish). */
public final class RunFiles {
    public static final String RESULTS = "results.json";
    public static final String SAMPLES = "samples.jsonl";
    static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private RunFiles() {}

    /** A sink appending each record as one JSON line, flushed so an interrupted run leaves its finished rows. */
    public static final class SampleWriter implements Consumer<SampleRecord>, AutoCloseable {
        private final BufferedWriter out;

        public SampleWriter(Path dir) {
            try {
                Files.createDirectories(dir);
                out = Files.newBufferedWriter(dir.resolve(SAMPLES), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new LoupeException("cannot write to " + dir + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void accept(SampleRecord r) {
            try {
                out.write(JSON.writeValueAsString(r));
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static void writeResult(Path dir, RunResult r) {
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(RESULTS), JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
        } catch (IOException e) {
            throw new LoupeException("cannot write " + dir.resolve(RESULTS) + ": " + e.getMessage(), e);
        }
    }

    /** Replaces {@code file} with {@code text} (UTF-8) so a reader never sees half a summary or report. */
    public static void writeAtomically(Path file, String text) {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(file, ch -> {
            while (bytes.hasRemaining()) ch.write(bytes);
        });
    }

    /** Reads a run folder (or its results.json directly). */
    public static RunResult readResult(Path dirOrFile) {
        Path f = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(RESULTS) : dirOrFile;
        if (!Files.isRegularFile(f)) throw new LoupeException("no run results at " + f);
        try {
            return JSON.readValue(f.toFile(), RunResult.class);
        } catch (IOException e) {
            throw new LoupeException(f + ": not a Loupe results file: " + e.getMessage(), e);
        }
    }
}
