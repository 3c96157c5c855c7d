package dev.loupe.core.tokenizer;

/**
 * The doubly linked list of symbols both BPE variants merge over: symbol i covers
 * {@code text[start[i], start[i] + len[i])}; a symbol merged into its left neighbour gets length 0.
 * Symbols start as single code points (whole UTF-8 characters, as llama.cpp's utf8 length table cuts them).
 */
final class SymbolChain {
    final String text;
    final int[] start, len, prev, next;
    final int count;

    SymbolChain(String text) {
        this.text = text;
        int n = text.codePointCount(0, text.length());
        start = new int[n];
        len = new int[n];
        prev = new int[n];
        next = new int[n];
        count = n;
        int pos = 0;
        for (int i = 0; i < n; i++) {
            int cl = Character.charCount(text.codePointAt(pos));
            start[i] = pos;
            len[i] = cl;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            pos += cl;
        }
    }

    /** Text of symbol {@code left} followed by its right neighbour, assuming they are adjacent. */
    String pairText(int left, int right) {
        return text.substring(start[left], start[left] + len[left] + len[right]);
    }

    String symbolText(int i) {
        return text.substring(start[i], start[i] + len[i]);
    }

    /** True while neither symbol was merged since a bigram of total length {@code size} was queued for them. */
    boolean stillPair(int left, int right, int size) {
        return len[left] > 0 && len[right] > 0 && len[left] + len[right] == size;
    }

    /** Merges {@code right} into {@code left} and unlinks it. */
    void merge(int left, int right) {
        len[left] += len[right];
        len[right] = 0;
        next[left] = next[right];
        if (next[right] >= 0) prev[next[right]] = left;
    }
}
