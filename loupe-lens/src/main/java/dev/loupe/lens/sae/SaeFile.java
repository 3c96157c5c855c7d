package dev.loupe.lens.sae;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.cache.CachedActivation;
import dev.loupe.lens.io.SafetensorsReader;
import dev.loupe.lens.io.SafetensorsWriter;

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
        SafetensorsReader r = SafetensorsReader.open(file);
        for (String t : new String[] {"W_enc", "b_enc", "W_dec", "b_dec"}) {
            if (!r.has(t)) throw new LoupeException(file + " has no tensor " + t + " (not an SAE saved by Loupe?)");
        }
        int[] wd = r.shape("W_dec");
        if (wd.length != 2) throw new LoupeException(file + ": W_dec must be [d_sae, d_in]");
        int m = wd[0], d = wd[1];
        Map<String, String> md = new LinkedHashMap<>(r.metadata());
        SparseAutoencoder sae = new SparseAutoencoder(d, m, Integer.parseInt(md.getOrDefault("top_k", "0")));
        r.read("W_enc", sae.params(), sae.wEnc(), m * d);
        r.read("b_enc", sae.params(), sae.bEnc(), m);
        r.read("W_dec", sae.params(), sae.wDec(), m * d);
        r.read("b_dec", sae.params(), sae.bDec(), d);
        return new Loaded(sae, md.getOrDefault("hook_name", ""), md);
    }

    private static CachedActivation slice(float[] p, int from, int[] shape) {
        float[] v = new float[CachedActivation.size(shape)];
        System.arraycopy(p, from, v, 0, v.length);
        return new CachedActivation(shape, v);
    }
}
