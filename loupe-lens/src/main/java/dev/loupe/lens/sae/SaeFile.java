package dev.loupe.lens.sae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.lens.cache.CachedActivation;
import dev.loupe.lens.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An SAE as safetensors, with SAELens's tensor names and shapes (W_enc is stored [d_sae, d_in] here, row i being
 * feature i's encoder; W_dec [d_sae, d_in]) and the hook point and top-k in the metadata. Written atomically.
 */
public final class SaeFile {
    private SaeFile() {}

    public record Loaded(SparseAutoencoder sae, String hook, Map<String, String> metadata) {}

    public static void save(Path file, SparseAutoencoder sae, String hook, Map<String, String> extra) {
        int d = sae.inputDim(), m = sae.features();
        float[] p = sae.params();
        Map<String, CachedActivation> t = new LinkedHashMap<>();
        t.put("W_enc", slice(p, sae.wEnc(), new int[] {m, d}));
        t.put("b_enc", slice(p, sae.bEnc(), new int[] {m}));
        t.put("W_dec", slice(p, sae.wDec(), new int[] {m, d}));
        t.put("b_dec", slice(p, sae.bDec(), new int[] {d}));
        Map<String, String> md = new LinkedHashMap<>(extra);
        md.put("hook_name", hook);
        md.put("top_k", Integer.toString(sae.topK()));
        SafetensorsWriter.write(file, t, md);
    }

    public static Loaded load(Path file) {
        try {
            ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            long n = all.getLong();
            if (n <= 0 || n > all.remaining()) throw new LoupeException(file + " is not a safetensors file");
            byte[] h = new byte[(int) n];
            all.get(h);
            JsonNode root = new ObjectMapper().readTree(h);
            int base = 8 + (int) n;
            JsonNode wd = need(root, "W_dec", file);
            int m = wd.get("shape").get(0).asInt(), d = wd.get("shape").get(1).asInt();
            Map<String, String> md = new LinkedHashMap<>();
            if (root.has("__metadata__")) root.get("__metadata__").fields().forEachRemaining(e -> md.put(e.getKey(), e.getValue().asText()));
            SparseAutoencoder sae = new SparseAutoencoder(d, m, Integer.parseInt(md.getOrDefault("top_k", "0")));
            read(all, base, need(root, "W_enc", file), sae.params(), sae.wEnc(), m * d);
            read(all, base, need(root, "b_enc", file), sae.params(), sae.bEnc(), m);
            read(all, base, wd, sae.params(), sae.wDec(), m * d);
            read(all, base, need(root, "b_dec", file), sae.params(), sae.bDec(), d);
            return new Loaded(sae, md.getOrDefault("hook_name", ""), md);
        } catch (IOException e) {
            throw new LoupeException("cannot read SAE " + file + ": " + e.getMessage());
        }
    }

    private static JsonNode need(JsonNode root, String name, Path file) {
        JsonNode t = root.get(name);
        if (t == null || !"F32".equals(t.path("dtype").asText())) throw new LoupeException(file + " has no F32 tensor " + name + " (not an SAE saved by Loupe?)");
        return t;
    }

    private static void read(ByteBuffer all, int base, JsonNode t, float[] dst, int at, int count) {
        long from = t.get("data_offsets").get(0).asLong(), to = t.get("data_offsets").get(1).asLong();
        if (to - from != 4L * count) throw new LoupeException("SAE tensor has " + (to - from) / 4 + " values, expected " + count);
        all.slice(base + (int) from, 4 * count).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, at, count);
    }

    private static CachedActivation slice(float[] p, int from, int[] shape) {
        float[] v = new float[CachedActivation.size(shape)];
        System.arraycopy(p, from, v, 0, v.length);
        return new CachedActivation(shape, v);
    }
}
