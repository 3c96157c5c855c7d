package dev.loupe.eval.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.core.LoupeException;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Responses on disk, keyed by the SHA-256 of the request. The file is append-only JSONL, flushed after every
 * entry: a run killed at any point keeps every answer it had received, and a torn last line (killed mid-write) is
 * skipped on load rather than failing the resume.
 */
public final class ResponseCache implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, JsonNode> entries = new HashMap<>();
    private final BufferedWriter out;
    private int tornLines;

    public ResponseCache(Path file) {
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            if (Files.exists(file)) load(file);
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            // After a torn write the file ends mid-line; start on a fresh line so the next entry is not glued to it.
            if (endsMidLine(file)) {
                out.write('\n');
                out.flush();
            }
        } catch (IOException e) {
            throw new LoupeException("cannot open response cache " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean endsMidLine(Path file) throws IOException {
        try (var ch = Files.newByteChannel(file)) {
            if (ch.size() == 0) return false;
            java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
            ch.position(ch.size() - 1).read(last);
            return last.get(0) != '\n';
        }
    }

    private void load(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                try {
                    JsonNode n = JSON.readTree(line);
                    if (n != null && n.hasNonNull("key") && n.has("value")) entries.put(n.get("key").asText(), n.get("value"));
                } catch (IOException torn) {
                    // A line cut short by a kill; the request is simply asked again.
                    tornLines++;
                }
            }
        }
    }

    public static String key(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                byte[] b = p.getBytes(StandardCharsets.UTF_8);
                // Length-prefix each part so ("ab","c") and ("a","bc") differ.
                md.update((b.length + ":").getBytes(StandardCharsets.UTF_8));
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized JsonNode get(String key) {
        return entries.get(key);
    }

    public synchronized void put(String key, JsonNode value) {
        entries.put(key, value);
        ObjectNode line = JSON.createObjectNode();
        line.put("key", key);
        line.set("value", value);
        try {
            out.write(JSON.writeValueAsString(line));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines dropped on load because they were not whole JSON (a write cut short by a kill). */
    public synchronized int tornLines() {
        return tornLines;
    }

    public synchronized int size() {
        return entries.size();
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
