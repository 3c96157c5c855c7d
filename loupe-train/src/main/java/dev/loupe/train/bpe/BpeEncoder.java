package dev.loupe.train.bpe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Text to ids and back with a {@link BpeVocab}: GPT-2 pre-tokenization, then within each word the
 * lowest-ranked adjacent pair is merged (leftmost first) until none applies, as GPT-2's {@code bpe()} and
 * llama.cpp do. Special tokens are never produced from text: the training pipeline inserts them by id.
 * Words repeat, so their encodings are cached. Not thread-safe (the cache).
 */
public final class BpeEncoder {
    private final BpeVocab vocab;
    private final Map<Long, int[]> merges;
    private final byte[][] tokenBytes;
    private final Map<String, int[]> cache = new HashMap<>();

    public BpeEncoder(BpeVocab vocab) {
        this.vocab = vocab;
        this.merges = vocab.mergeTable();
        this.tokenBytes = new byte[vocab.size()][];
        for (int i = 0; i < vocab.size(); i++) {
            tokenBytes[i] = i >= vocab.endOfText() ? vocab.tokens()[i].getBytes(StandardCharsets.UTF_8) : unspell(vocab.tokens()[i]);
        }
    }

    public BpeVocab vocab() {
        return vocab;
    }

    public int[] encode(String text) {
        IntBuffer out = new IntBuffer(text.length() / 3 + 16);
        Gpt2PreTokenizer.split(text, w -> out.addAll(cache.computeIfAbsent(w, this::encodeWord)));
        return out.toArray();
    }

    private int[] encodeWord(String word) {
        byte[] b = word.getBytes(StandardCharsets.UTF_8);
        int[] sym = new int[b.length];
        for (int i = 0; i < b.length; i++) sym[i] = b[i] & 0xFF;
        int n = sym.length;
        while (n > 1) {
            int bestRank = Integer.MAX_VALUE, bestId = -1;
            long bestPair = 0;
            for (int i = 0; i + 1 < n; i++) {
                int[] m = merges.get(BpeVocab.pair(sym[i], sym[i + 1]));
                if (m != null && m[0] < bestRank) {
                    bestRank = m[0];
                    bestId = m[1];
                    bestPair = BpeVocab.pair(sym[i], sym[i + 1]);
                }
            }
            if (bestId < 0) break;
            int j = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && BpeVocab.pair(sym[i], sym[i + 1]) == bestPair) {
                    sym[j++] = bestId;
                    i++;
                } else {
                    sym[j++] = sym[i];
                }
            }
            n = j;
        }
        return java.util.Arrays.copyOf(sym, n);
    }

    public byte[] tokenBytes(int id) {
        return tokenBytes[id];
    }

    /** The exact bytes of the ids, as UTF-8 text (special tokens rendered as their text). */
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) out.writeBytes(tokenBytes[id]);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static byte[] unspell(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) out[i] = (byte) ByteLevel.toByte(s.charAt(i));
        return out;
    }

    /** A growable int array: token streams are long, boxing them would triple the memory. */
    static final class IntBuffer {
        private int[] a;
        private int n;

        IntBuffer(int capacity) {
            a = new int[Math.max(16, capacity)];
        }

        void addAll(int[] v) {
            if (n + v.length > a.length) a = java.util.Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
            System.arraycopy(v, 0, a, n, v.length);
            n += v.length;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
