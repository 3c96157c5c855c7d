package dev.loupe.eval.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Reads JSONL rows (plain or .gz) into {@link Doc}s; a bad row is an error naming file and line. */
public final class DataFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() {};

    private DataFile() {}

    public static List<Doc> read(Path file) {
        if (!Files.isRegularFile(file)) throw new LoupeException("no such data file: " + file);
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return file.toString().endsWith(".txt") ? paragraphs(in, file.toString()) : read(in, file.toString());
        } catch (IOException e) {
            throw new LoupeException("cannot read data file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Plain text for perplexity tasks: each blank-line-separated paragraph is one row with a "text" field, so a
     * document stays within a model's context without cutting a sentence.
     */
    static List<Doc> paragraphs(InputStream in, String source) throws IOException {
        List<Doc> docs = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        StringBuilder para = new StringBuilder();
        String line;
        int n = 0, start = 0;
        while (true) {
            line = r.readLine();
            n++;
            if (line == null || line.isBlank()) {
                if (!para.isEmpty()) docs.add(new Doc(docs.size(), source, start, Map.of("text", para.toString())));
                para.setLength(0);
                if (line == null) break;
                continue;
            }
            if (para.isEmpty()) start = n;
            else para.append('\n');
            para.append(line);
        }
        if (docs.isEmpty()) throw new LoupeException(source + ": no text");
        return docs;
    }

    public static List<Doc> read(InputStream in, String source) throws IOException {
        List<Doc> docs = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank()) continue;
            Map<String, Object> row;
            try {
                row = JSON.readValue(line, ROW);
            } catch (JsonProcessingException e) {
                throw new LoupeException(source + " line " + n + ": not a JSON object: " + e.getOriginalMessage());
            }
            if (row == null) throw new LoupeException(source + " line " + n + ": not a JSON object");
            docs.add(new Doc(docs.size(), source, n, row));
        }
        if (docs.isEmpty()) throw new LoupeException(source + ": no rows");
        return docs;
    }
}
