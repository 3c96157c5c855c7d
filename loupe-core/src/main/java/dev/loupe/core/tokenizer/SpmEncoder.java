package dev.loupe.core.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * SentencePiece-style BPE as llama.cpp's llm_tokenizer_spm_session: repeatedly merge the adjacent pair
 * whose concatenation is the vocabulary token with the highest score (ties: leftmost), over the whole
 * text at once; what never forms a token falls back to {@code <0xNN>} byte tokens.
 */
final class SpmEncoder {
    private record Bigram(int left, int right, float score, int size) {}

    private final Vocab vocab;

    SpmEncoder(Vocab vocab) {
        this.vocab = vocab;
    }

    /** Encodes text whose spaces are already escaped to ▁. */
    void encode(String text, IntList out) {
        SymbolChain chain = new SymbolChain(text);
        if (chain.count == 0) return;
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < chain.count; i++) tryAdd(chain, queue, i - 1, i);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (!chain.stillPair(b.left, b.right, b.size)) continue;
            chain.merge(b.left, b.right);
            tryAdd(chain, queue, chain.prev[b.left], b.left);
            tryAdd(chain, queue, b.left, chain.next[b.left]);
        }
        // llama.cpp also keeps a "rev_merge" map to re-split unknown symbols, but a merged symbol is
        // always a token, so only single unknown characters reach the byte fallback.
        for (int i = 0; i != -1; i = chain.next[i]) {
            String piece = chain.symbolText(i);
            int id = vocab.id(piece);
            if (id >= 0) {
                out.add(id);
            } else {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) out.add(byteToken(b & 0xFF));
            }
        }
    }

    private void tryAdd(SymbolChain chain, PriorityQueue<Bigram> queue, int left, int right) {
        if (left < 0 || right < 0) return;
        String text = chain.pairText(left, right);
        int id = vocab.id(text);
        if (id < 0) return;
        queue.add(new Bigram(left, right, vocab.scores[id], text.length()));
    }

    private int byteToken(int b) {
        int id = vocab.id(String.format("<0x%02X>", b));
        if (id < 0 && b < 0x80) id = vocab.id(String.valueOf((char) b));
        if (id < 0) throw new IllegalStateException("vocabulary has no byte token for 0x" + Integer.toHexString(b));
        return id;
    }
}
