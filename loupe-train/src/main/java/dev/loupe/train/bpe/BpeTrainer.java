package dev.loupe.train.bpe;

import dev.loupe.core.LoupeException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Learns byte-level BPE merges greedily: repeatedly merge the most frequent adjacent pair of tokens within
 * pre-tokenized words (ties: the smaller pair of ids, so training is deterministic).
 *
 * <p>Incremental: each distinct word is stored once with its count; a pair knows the words it occurs in, so a
 * merge only revisits those words, subtracting their old pairs and adding their new ones. A max-heap holds an
 * entry for every pair's current count (stale entries are skipped when popped), so choosing the next merge is
 * O(log pairs) instead of a rescan of the corpus.
 *
 * @param vocabSize    total tokens: 256 bytes + merges + special tokens
 * @param minFrequency a pair must occur this often to be merged; fewer means the data cannot support the size
 * @param specials     control tokens appended at the end; the first should be {@link BpeVocab#END_OF_TEXT}
 */
public record BpeTrainer(int vocabSize, int minFrequency, List<String> specials) {

    public BpeTrainer(int vocabSize) {
        this(vocabSize, 2, List.of(BpeVocab.END_OF_TEXT));
    }

    public BpeTrainer {
        if (vocabSize < 256 + specials.size()) {
            throw new LoupeException("vocabulary size " + vocabSize + " is too small: 256 byte tokens and " + specials.size() + " special tokens are required");
        }
    }

    private static final class Pair {
        long count;
        int[] words = new int[4];
        int n;

        void addWord(int w) {
            if (n == words.length) words = java.util.Arrays.copyOf(words, n * 2);
            words[n++] = w;
        }
    }

    private record Entry(long count, long pair) {}

    public BpeVocab train(String text) {
        if (text.isEmpty()) throw new LoupeException("the corpus is empty");
        // Distinct words with their counts.
        Map<String, int[]> wordCounts = new HashMap<>();
        Gpt2PreTokenizer.split(text, w -> wordCounts.computeIfAbsent(w, k -> new int[1])[0]++);
        int nw = wordCounts.size();
        int[][] sym = new int[nw][];
        int[] len = new int[nw];
        long[] freq = new long[nw];
        int wi = 0;
        // Sorted so that the word order, hence tie-breaking inside lists, does not depend on HashMap iteration.
        List<String> keys = new ArrayList<>(wordCounts.keySet());
        keys.sort(null);
        for (String k : keys) {
            byte[] b = k.getBytes(StandardCharsets.UTF_8);
            sym[wi] = new int[b.length];
            for (int i = 0; i < b.length; i++) sym[wi][i] = b[i] & 0xFF;
            len[wi] = b.length;
            freq[wi] = wordCounts.get(k)[0];
            wi++;
        }

        Map<Long, Pair> pairs = new HashMap<>();
        for (int w = 0; w < nw; w++) {
            for (int i = 0; i + 1 < len[w]; i++) {
                Pair p = pairs.computeIfAbsent(BpeVocab.pair(sym[w][i], sym[w][i + 1]), k -> new Pair());
                p.count += freq[w];
                if (p.n == 0 || p.words[p.n - 1] != w) p.addWord(w);
            }
        }
        PriorityQueue<Entry> heap = new PriorityQueue<>((x, y) -> x.count != y.count ? Long.compare(y.count, x.count) : Long.compare(x.pair, y.pair));
        pairs.forEach((k, p) -> heap.add(new Entry(p.count, k)));

        List<String> tokens = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.of(b)));
            ids.put(tokens.get(b), b);
        }
        List<String> merges = new ArrayList<>();
        int target = vocabSize - specials.size();
        int[] seen = new int[nw];
        int stamp = 0;
        List<Long> touched = new ArrayList<>();
        while (tokens.size() < target) {
            Entry e = heap.poll();
            if (e == null || e.count < minFrequency) {
                throw new LoupeException("the corpus supports at most " + (tokens.size() + specials.size()) + " tokens (no pair of tokens occurs "
                        + minFrequency + " times after " + merges.size() + " merges); lower the vocabulary size or use more text");
            }
            Pair p = pairs.get(e.pair);
            if (p == null || p.count != e.count) continue; // stale: a fresher entry is in the heap
            int a = (int) (e.pair >>> 32), b = (int) e.pair;
            String spelled = tokens.get(a) + tokens.get(b);
            merges.add(tokens.get(a) + " " + tokens.get(b));
            Integer existing = ids.get(spelled); // two merge paths can spell the same string: one token
            int merged = existing != null ? existing : tokens.size();
            if (existing == null) {
                tokens.add(spelled);
                ids.put(spelled, merged);
            }
            pairs.remove(e.pair);
            stamp++;
            touched.clear();
            for (int j = 0; j < p.n; j++) {
                int w = p.words[j];
                if (seen[w] == stamp) continue;
                seen[w] = stamp;
                mergeWord(sym[w], len, w, freq[w], a, b, merged, pairs, touched);
            }
            for (long k : touched) {
                Pair q = pairs.get(k);
                if (q != null && q.count > 0) heap.add(new Entry(q.count, k));
            }
        }
        tokens.addAll(specials);
        return new BpeVocab(tokens.toArray(String[]::new), merges.toArray(String[]::new), specials.size());
    }

    /** Replaces every (a, b) in word w by {@code merged}, moving the word's pair counts from old pairs to new. */
    private static void mergeWord(int[] s, int[] len, int w, long f, int a, int b, int merged, Map<Long, Pair> pairs, List<Long> touched) {
        int n = len[w];
        boolean has = false;
        for (int i = 0; i + 1 < n && !has; i++) has = s[i] == a && s[i + 1] == b;
        if (!has) return; // the word list is lazy: this word lost the pair to an earlier merge
        for (int i = 0; i + 1 < n; i++) adjust(pairs, BpeVocab.pair(s[i], s[i + 1]), -f, -1, touched);
        int j = 0;
        for (int i = 0; i < n; i++) {
            if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                s[j++] = merged;
                i++;
            } else {
                s[j++] = s[i];
            }
        }
        len[w] = j;
        for (int i = 0; i + 1 < j; i++) adjust(pairs, BpeVocab.pair(s[i], s[i + 1]), f, w, touched);
    }

    private static void adjust(Map<Long, Pair> pairs, long key, long delta, int word, List<Long> touched) {
        Pair p = pairs.get(key);
        if (p == null) {
            if (delta < 0) return; // the merged pair itself, already removed
            p = new Pair();
            pairs.put(key, p);
        }
        p.count += delta;
        if (word >= 0 && (p.n == 0 || p.words[p.n - 1] != word)) p.addWord(word);
        touched.add(key);
    }
}
