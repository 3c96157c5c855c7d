package dev.loupe.data.dedup;

import dev.loupe.data.DocKey;
import dev.loupe.data.Document;
import dev.loupe.data.filter.Text;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.GlobalStep;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Near-duplicate removal with MinHash and LSH banding (Broder 1997; Leskovec, Rajaraman, Ullman, "Mining of
 * Massive Datasets", ch. 3). A document is the set of its word {@code shingle_size}-grams (lowercased words);
 * its signature is {@code bands*rows} minima of independent hash functions, summarized as one hash per band.
 * Documents sharing any band are candidates; candidates are joined into connected components and only the first
 * document (input order) of each component stays. Bands and rows come from the target Jaccard threshold unless
 * given.
 */
public record MinHashDedup(String name, Double threshold, Integer numPerm, Integer shingleSize, Long seed, Integer bands,
                           Integer rows) implements GlobalStep<long[]> {
    public MinHashDedup {
        name = name == null ? "minhash_dedup" : name;
        threshold = threshold == null ? 0.8 : threshold;
        numPerm = numPerm == null ? 128 : numPerm;
        shingleSize = shingleSize == null ? 5 : shingleSize;
        seed = seed == null ? 42L : seed;
        if ((bands == null) != (rows == null)) throw new dev.loupe.core.LoupeException(name + ": give both bands and rows, or neither");
        if (bands == null) {
            LshParams p = LshParams.forThreshold(threshold, numPerm);
            bands = p.bands();
            rows = p.rows();
        }
    }

    public static MinHashDedup withThreshold(double t) {
        return new MinHashDedup(null, t, null, null, null, null, null);
    }

    public LshParams lsh() {
        return new LshParams(bands, rows);
    }

    /** The 64-bit hashes of the document's distinct shingles. */
    public long[] shingles(String text) {
        List<String> words = Text.words(text);
        int n = Math.max(1, words.size() - shingleSize + 1);
        long[] out = new long[n];
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.setLength(0);
            for (int j = i; j < Math.min(words.size(), i + shingleSize); j++) sb.append(words.get(j).toLowerCase(Locale.ROOT)).append(' ');
            out[i] = Hashing.hash(sb);
        }
        return out;
    }

    /** The MinHash signature: for each of bands*rows functions h(x) = (a*x + b) >>> 32 with odd a, the minimum. */
    public long[] minhash(long[] shingles) {
        int k = bands * rows;
        long[] min = new long[k];
        java.util.Arrays.fill(min, Long.MAX_VALUE);
        long[] a = new long[k], b = new long[k];
        for (int i = 0; i < k; i++) {
            a[i] = Hashing.mix(seed * 31 + 2L * i) | 1L;
            b[i] = Hashing.mix(seed * 31 + 2L * i + 1);
        }
        for (long x : shingles) {
            for (int i = 0; i < k; i++) {
                long v = (a[i] * x + b[i]) >>> 32;
                if (v < min[i]) min[i] = v;
            }
        }
        return min;
    }

    /** One hash per band; two documents collide in a band exactly when their rows there are all equal. */
    @Override
    public long[] signature(Document doc) {
        long[] m = minhash(shingles(doc.text()));
        long[] bandHashes = new long[bands];
        for (int band = 0; band < bands; band++) {
            long h = band;
            for (int r = 0; r < rows; r++) h = Hashing.mix(h * 0x9E3779B97F4A7C15L + m[band * rows + r]);
            bandHashes[band] = h;
        }
        return bandHashes;
    }

    @Override
    public DocStep plan(List<Signed<long[]>> sigs, Counters c) {
        UnionFind uf = new UnionFind(sigs.size());
        long candidates = 0;
        for (int band = 0; band < bands; band++) {
            Map<Long, Integer> first = new HashMap<>(sigs.size() * 2);
            for (int i = 0; i < sigs.size(); i++) {
                Integer j = first.putIfAbsent(sigs.get(i).signature()[band], i);
                if (j != null) {
                    uf.union(i, j);
                    candidates++;
                }
            }
        }
        Set<DocKey> drop = new HashSet<>();
        Set<Integer> clusters = new HashSet<>();
        for (int i = 0; i < sigs.size(); i++) {
            int r = uf.find(i);
            if (r != i) {
                drop.add(sigs.get(i).key());
                clusters.add(r);
            }
        }
        c.add("bands", bands);
        c.add("rows", rows);
        c.add("bucket_collisions", candidates);
        c.add("clusters", clusters.size());
        c.add("duplicates", drop.size());
        return new DropKeys(name, "near_duplicate", drop);
    }
}
