package dev.loupe.data.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.data.DocKey;
import dev.loupe.data.Document;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipException;

/**
 * Reads one input file (one shard) into documents. Corrupt pieces go to {@link InputErrors} with file and line;
 * what the reader could read before a truncation is still delivered.
 */
public final class DocReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InputFormat format;
    private final String textKey;
    private final String idKey;

    public DocReader(InputFormat format, String textKey, String idKey) {
        this.format = format;
        this.textKey = textKey;
        this.idKey = idKey;
    }

    /** Reads {@code file} as shard {@code shard}; documents go to {@code sink} in file order. */
    public void read(Path file, int shard, Consumer<Document> sink, InputErrors errors) {
        InputFormat f = format != null ? format : InputFormat.guess(file);
        if (f == InputFormat.PARQUET) {
            ParquetDocReader.read(file, shard, textKey, idKey, sink, errors);
            return;
        }
        String name = file.toString();
        Lines lines = null;
        try (InputStream raw = Files.newInputStream(file)) {
            lines = new Lines(Compression.of(file).wrap(raw));
            switch (f) {
                case JSONL -> readJsonl(lines, name, shard, sink, errors);
                case TEXT_LINES -> readTextLines(lines, name, shard, sink, errors);
                case TEXT_PARAGRAPHS, TEXT_FILE -> readTextBlocks(lines, name, shard, sink, errors, f == InputFormat.TEXT_FILE);
                case PARQUET -> throw new IllegalStateException("read above");
            }
        } catch (EOFException | ZipException e) {
            long at = lines == null ? 0 : lines.number() + 1;
            errors.report(new InputError(name, at, InputError.Kind.TRUNCATED,
                    "compressed stream ends early or is corrupt (" + e.getMessage() + "); the rest of the file is skipped"));
        } catch (IOException e) {
            if (isCorruptStream(e)) {
                long at = lines == null ? 0 : lines.number() + 1;
                errors.report(new InputError(name, at, InputError.Kind.TRUNCATED, e.getMessage() + "; the rest of the file is skipped"));
            } else {
                throw new UncheckedIOException(name + ": " + e.getMessage(), e);
            }
        }
    }

    /** aircompressor reports bad zstd data as a plain IOException/RuntimeException with a message. */
    private static boolean isCorruptStream(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("not in gzip") || m.contains("corrupt") || m.contains("truncat") || m.contains("unexpected end");
    }

    private void readJsonl(Lines lines, String name, int shard, Consumer<Document> sink, InputErrors errors) throws IOException {
        for (Lines.Line l; (l = lines.next()) != null; ) {
            if (l.invalidUtf8() != null) {
                errors.report(new InputError(name, l.number(), InputError.Kind.INVALID_UTF8, l.invalidUtf8()));
                continue;
            }
            if (l.text().isBlank()) continue;
            Map<String, Object> obj;
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = JSON.readValue(l.text(), LinkedHashMap.class);
                obj = m;
            } catch (JsonProcessingException e) {
                errors.report(new InputError(name, l.number(), InputError.Kind.BAD_JSON, e.getOriginalMessage()));
                continue;
            }
            if (obj == null || !(obj.remove(textKey) instanceof String text)) {
                errors.report(new InputError(name, l.number(), InputError.Kind.MISSING_TEXT, "no string field '" + textKey + "'"));
                continue;
            }
            Object id = obj.remove(idKey);
            Map<String, Object> meta = new LinkedHashMap<>();
            // Our own output nests metadata; reading it back must give the same document.
            if (obj.remove("metadata") instanceof Map<?, ?> nested) nested.forEach((k, v) -> meta.put(String.valueOf(k), v));
            meta.putAll(obj);
            sink.accept(new Document(id != null ? String.valueOf(id) : name + ":" + l.number(), text, meta,
                    new DocKey(shard, l.number())));
        }
    }

    private void readTextLines(Lines lines, String name, int shard, Consumer<Document> sink, InputErrors errors) throws IOException {
        for (Lines.Line l; (l = lines.next()) != null; ) {
            if (l.invalidUtf8() != null) {
                errors.report(new InputError(name, l.number(), InputError.Kind.INVALID_UTF8, l.invalidUtf8()));
                continue;
            }
            if (l.text().isBlank()) continue;
            sink.accept(new Document(name + ":" + l.number(), l.text(), Map.of(), new DocKey(shard, l.number())));
        }
    }

    /** Paragraphs (or the whole file) as documents; a paragraph's key is its first line's number. */
    private void readTextBlocks(Lines lines, String name, int shard, Consumer<Document> sink, InputErrors errors,
                                boolean wholeFile) throws IOException {
        StringBuilder sb = new StringBuilder();
        long start = 0;
        for (Lines.Line l; (l = lines.next()) != null; ) {
            if (l.invalidUtf8() != null) {
                errors.report(new InputError(name, l.number(), InputError.Kind.INVALID_UTF8, l.invalidUtf8()));
                continue;
            }
            if (!wholeFile && l.text().isBlank()) {
                flush(sb, start, name, shard, sink);
                continue;
            }
            if (sb.isEmpty()) start = l.number();
            else sb.append('\n');
            sb.append(l.text());
        }
        flush(sb, start, name, shard, sink);
    }

    private static void flush(StringBuilder sb, long start, String name, int shard, Consumer<Document> sink) {
        if (sb.isEmpty() || sb.toString().isBlank()) {
            sb.setLength(0);
            return;
        }
        sink.accept(new Document(name + ":" + start, sb.toString(), Map.of(), new DocKey(shard, start)));
        sb.setLength(0);
    }
}
