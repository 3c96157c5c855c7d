package dev.loupe.core.tokenizer;

import dev.loupe.core.gguf.GgufStrings;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * Byte-level BPE as llama.cpp's llm_tokenizer_bpe_session: pre-tokenize into words, spell each word's
 * bytes with {@link ByteUnicode}, then repeatedly merge the adjacent pair with the lowest merge rank
 * (ties: leftmost). Merging is per word, so the cost stays linear in the text for bounded words.
 */
final class BpeEncoder {
    private record Bigram(int left, int right, int rank, int size) {}

    private final Vocab vocab;
    private final BpeFlavor flavor;
    /** The merges by their GGUF text "left right"; a merge's rank is its position, the first occurrence wins. */
    private final StringIndex ranks;

    BpeEncoder(Vocab vocab, BpeFlavor flavor, GgufStrings merges) {
        this.vocab = vocab;
        this.flavor = flavor;
        this.ranks = new StringIndex(merges);
    }

    void encode(String text, IntList out) {
        for (String word : flavor.preTokenizer().split(text)) {
            String w = ByteUnicode.encode(word);
            int whole = flavor.ignoreMerges() ? vocab.id(w) : -1;
            if (whole >= 0) {
                out.add(whole);
            } else {
                mergeWord(w, out);
            }
        }
    }

    private void mergeWord(String w, IntList out) {
        SymbolChain chain = new SymbolChain(w);
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.rank != b.rank
                ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 1; i < chain.count; i++) tryAdd(chain, queue, i - 1, i);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (!chain.stillPair(b.left, b.right, b.size)) continue;
            chain.merge(b.left, b.right);
            tryAdd(chain, queue, chain.prev[b.left], b.left);
            tryAdd(chain, queue, b.left, chain.next[b.left]);
        }
        for (int i = 0; i < chain.count && i != -1; i = chain.next[i]) {
            String piece = chain.symbolText(i);
            int id = vocab.id(piece);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            // No token for the merged piece: llama.cpp looks up each single byte of its UTF-8 text and
            // silently drops those that are not tokens (any byte >= 0x80, as a lone byte is not UTF-8).
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                int single = b >= 0 ? vocab.id(String.valueOf((char) b)) : -1;
                if (single >= 0) out.add(single);
            }
        }
    }

    private void tryAdd(SymbolChain chain, PriorityQueue<Bigram> queue, int left, int right) {
        if (left < 0 || right < 0) return;
        int rank = ranks.lowest(chain.symbolText(left) + " " + chain.symbolText(right));
        if (rank < 0) return;
        queue.add(new Bigram(left, right, rank, chain.len[left] + chain.len[right]));
    }
}
