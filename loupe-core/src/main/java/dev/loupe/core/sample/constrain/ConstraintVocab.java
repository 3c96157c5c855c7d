package dev.loupe.core.sample.constrain;

import dev.loupe.core.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A vocabulary prepared for constrained decoding: every token's bytes in a {@link TokenTrie}, the end-of-generation
 * tokens, the control tokens a chat format may use as markers (by their text), and a cache of the token set each
 * automaton state allows. Within a free string or between members of the
 * same object the state repeats, so most steps are a cache hit; a miss walks the trie once. Build one per tokenizer
 * and share it (thread-safe).
 */
public final class ConstraintVocab {
    /** Cached masks kept at most (each is vocabSize bits; 1024 x 16 KB for a 128k vocabulary). */
    private static final int CACHE_LIMIT = 1024;

    private final Tokenizer tokenizer;
    private final TokenTrie trie;
    private final int vocabSize;
    private final int[] endTokens;
    private final int maxDepth;
    /**
     * Control tokens other than the end tokens, and their text: left out of the trie (they print nothing, so inside a
     * JSON string they would desynchronise text and automaton), offered only where a grammar expects a marker with
     * exactly that text ({@link GrammarState#feedSpecial}).
     */
    private final int[] specialIds;
    private final String[] specialTexts;
    private final Map<GrammarState, Allowed> cache = new ConcurrentHashMap<>();

    /**
     * The tokens a state allows: {@code bits} (one per token id) and the largest {@link JsonState#cost()} any of them
     * leaves, so a step with a budget at least that large can use the bits as they are.
     */
    record Allowed(long[] bits, int maxCost) {}

    public ConstraintVocab(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.vocabSize = tokenizer.vocabSize();
        byte[][] bytes = new byte[vocabSize][];
        int ends = 0;
        for (int id = 0; id < vocabSize; id++) {
            if (tokenizer.isEndOfGeneration(id)) {
                ends++;
                continue;
            }
            // Control tokens decode to nothing and would let a sequence stall; user-defined ones are real text.
            if (tokenizer.isControl(id) || tokenizer.isUnknown(id) || tokenizer.isUnused(id)) continue;
            bytes[id] = tokenizer.tokenBytes(id);
        }
        int specials = 0;
        for (int id = 0; id < vocabSize; id++) if (isSpecial(tokenizer, id)) specials++;
        this.specialIds = new int[specials];
        this.specialTexts = new String[specials];
        for (int id = 0, k = 0; id < vocabSize; id++) {
            if (!isSpecial(tokenizer, id)) continue;
            specialIds[k] = id;
            specialTexts[k++] = new String(tokenizer.tokenBytes(id, true), StandardCharsets.UTF_8);
        }
        this.endTokens = new int[ends];
        for (int id = 0, e = 0; id < vocabSize; id++) if (tokenizer.isEndOfGeneration(id)) endTokens[e++] = id;
        this.trie = new TokenTrie(bytes);
        int m = 0;
        for (int d : trie.depth) m = Math.max(m, d);
        this.maxDepth = m;
    }

    private static boolean isSpecial(Tokenizer t, int id) {
        return t.isControl(id) && !t.isEndOfGeneration(id);
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Nodes in the token trie (for benchmarks). */
    public int trieNodes() {
        return trie.size();
    }

    byte[] bytes(int token) {
        return tokenizer.tokenBytes(token);
    }

    /** The text of a marker-capable control token, or null for any other token. */
    String specialText(int token) {
        int i = Arrays.binarySearch(specialIds, token);
        return i >= 0 ? specialTexts[i] : null;
    }

    /** Whether {@code token} ends generation (allowed exactly when the value is complete). */
    boolean isEnd(int token) {
        for (int e : endTokens) if (e == token) return true;
        return false;
    }

    /** The tokens allowed in {@code state}, from the cache or by one trie walk. */
    Allowed allowed(GrammarState state) {
        Allowed a = cache.get(state);
        if (a != null) return a;
        long[] bits = new long[(vocabSize + 63) >>> 6];
        int maxCost = walk(state, Integer.MAX_VALUE, bits);
        a = new Allowed(bits, maxCost);
        if (cache.size() >= CACHE_LIMIT) cache.clear();
        cache.put(state, a);
        return a;
    }

    /**
     * Sets in {@code bits} each token that {@code state} accepts whole and that leaves a cost of at most
     * {@code maxCost}, plus the end tokens when the value is complete. Returns the largest cost a set token leaves.
     */
    int walk(GrammarState state, int maxCost, long[] bits) {
        return (int) scan(state, maxCost, bits);
    }

    /** The least cost any allowed token leaves in {@code state} (0 if it may end here). */
    int leastCost(GrammarState state) {
        return state.complete() ? 0 : (int) (scan(state, Integer.MAX_VALUE, null) >>> 32);
    }

    /**
     * One walk over the trie (and the marker tokens) from {@code state}: sets the bits of the tokens leaving a cost of
     * at most {@code maxCost} (unless {@code bits} is null) and returns the largest such cost in the low 32 bits, the
     * smallest in the high 32.
     */
    private long scan(GrammarState state, int maxCost, long[] bits) {
        int n = trie.size();
        GrammarState[] at = new GrammarState[maxDepth + 1];
        at[0] = state;
        int worst = 0, least = Integer.MAX_VALUE;
        for (int i = 1; i < n; ) {
            GrammarState s = at[trie.depth[i] - 1].feed(trie.label[i] & 0xFF);
            if (s == null) {
                i = trie.subtreeEnd[i];
                continue;
            }
            at[trie.depth[i]] = s;
            int from = trie.tokenStart[i], to = trie.tokenStart[i + 1];
            if (from < to) {
                int cost = s.cost();
                least = Math.min(least, cost);
                if (cost <= maxCost) {
                    worst = Math.max(worst, cost);
                    if (bits != null) for (int t = from; t < to; t++) set(bits, trie.tokens[t]);
                }
            }
            i++;
        }
        for (int k = 0; k < specialIds.length; k++) {
            GrammarState s = state.feedSpecial(specialTexts[k]);
            if (s == null) continue;
            least = Math.min(least, s.cost());
            if (s.cost() > maxCost) continue;
            worst = Math.max(worst, s.cost());
            if (bits != null) set(bits, specialIds[k]);
        }
        if (state.complete() && bits != null) for (int e : endTokens) set(bits, e);
        return (long) least << 32 | worst;
    }

    private static void set(long[] bits, int id) {
        bits[id >>> 6] |= 1L << id;
    }


}
