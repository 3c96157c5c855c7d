package dev.loupe.data.select;

import dev.loupe.core.LoupeException;
import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.dedup.DropKeys;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.GlobalStep;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Semantic diversity selection: embeds each document ({@link SentenceEmbedder}, first {@code max_chars}
 * characters) and keeps the {@code k} (or {@code fraction} of all) documents that k-center greedy picks
 * ({@link KCenter}), the set that covers the embedding space best; the rest are dropped as {@code not_selected}.
 * Near-duplicates and paraphrases crowd one region, so they are what goes first. The plan needs every
 * embedding on the driver: 384 floats (1.5 kB) per document.
 */
public record DiversitySelection(String name, Integer k, Double fraction, Integer maxChars) implements GlobalStep<float[]> {
    public DiversitySelection {
        name = name == null ? "diversity" : name;
        if ((k == null) == (fraction == null)) throw new LoupeException("diversity: give either k or fraction");
        if (k != null && k < 1) throw new LoupeException("diversity: k must be at least 1");
        if (fraction != null && !(fraction > 0 && fraction <= 1)) throw new LoupeException("diversity: fraction must be in (0, 1]");
        maxChars = maxChars == null ? 2000 : maxChars;
    }

    @Override
    public float[] signature(Document doc) {
        String t = doc.text();
        return SentenceEmbedder.embed(t.length() <= maxChars ? t : t.substring(0, maxChars));
    }

    @Override
    public DocStep plan(List<Signed<float[]>> sigs, Counters c) {
        int n = sigs.size();
        int keep = k != null ? k : (int) Math.ceil(fraction * n);
        float[][] points = new float[n][];
        for (int i = 0; i < n; i++) points[i] = sigs.get(i).signature();
        Set<DocKey> kept = new HashSet<>();
        for (int i : KCenter.select(points, keep)) kept.add(sigs.get(i).key());
        Set<DocKey> drop = new HashSet<>();
        for (Signed<float[]> s : sigs) if (!kept.contains(s.key())) drop.add(s.key());
        c.add("selected", kept.size());
        return new DropKeys(name, "not_selected", drop);
    }
}
