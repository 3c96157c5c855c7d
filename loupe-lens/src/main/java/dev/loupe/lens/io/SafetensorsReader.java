package dev.loupe.lens.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the F32 tensors of a safetensors file (the layout {@link SafetensorsWriter} writes): the header's tensor
 * table and {@code __metadata__}, and any tensor by name as a float array with its shape. A file that is not
 * safetensors, or lacks a tensor, is a user error naming the file.
 */
public final class SafetensorsReader {
    private final Path file;
    private final ByteBuffer all;
    private final JsonNode header;
    private final int base;
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private SafetensorsReader(Path file, ByteBuffer all, JsonNode header, int base) {
        this.file = file;
        this.all = all;
        this.header = header;
        this.base = base;
        if (header.has("__metadata__")) header.get("__metadata__").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
    }

    public static SafetensorsReader open(Path file) {
        try {
            ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            if (all.remaining() < 8) throw notSafetensors(file);
            long n = all.getLong();
            if (n <= 0 || n > all.remaining()) throw notSafetensors(file);
            byte[] h = new byte[(int) n];
            all.get(h);
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(h);
            } catch (IOException e) {
                throw notSafetensors(file);
            }
            if (root == null || !root.isObject()) throw notSafetensors(file);
            return new SafetensorsReader(file, all, root, 8 + (int) n);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new LoupeException("no such file: " + file);
        } catch (IOException e) {
            throw new LoupeException("cannot read " + file + ": " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    public boolean has(String tensor) {
        return header.has(tensor) && !"__metadata__".equals(tensor);
    }

    /** The shape of an F32 tensor. */
    public int[] shape(String tensor) {
        JsonNode s = need(tensor).get("shape");
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) out[i] = s.get(i).asInt();
        return out;
    }

    /** All values of an F32 tensor. */
    public float[] floats(String tensor) {
        int count = 1;
        for (int d : shape(tensor)) count *= d;
        float[] out = new float[count];
        read(tensor, out, 0, count);
        return out;
    }

    /** Copies the F32 tensor's {@code count} values into {@code dst} at {@code at}; the count must match its size. */
    public void read(String tensor, float[] dst, int at, int count) {
        JsonNode t = need(tensor);
        long from = t.get("data_offsets").get(0).asLong(), to = t.get("data_offsets").get(1).asLong();
        if (to - from != 4L * count) throw new LoupeException(file + ": tensor " + tensor + " has " + (to - from) / 4 + " values, expected " + count);
        if (base + to > all.capacity()) throw new LoupeException(file + " is truncated (tensor " + tensor + ")");
        all.slice(base + (int) from, 4 * count).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, at, count);
    }

    private JsonNode need(String tensor) {
        JsonNode t = has(tensor) ? header.get(tensor) : null;
        if (t == null || !"F32".equals(t.path("dtype").asText())) throw new LoupeException(file + " has no F32 tensor " + tensor);
        return t;
    }

    private static LoupeException notSafetensors(Path file) {
        return new LoupeException(file + " is not a safetensors file");
    }
}
