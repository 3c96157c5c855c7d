package dev.loupe.core.tokenizer;

/**
 * Llama 3's {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}
 * as llama.cpp hand-codes it. Qwen 2's regex differs only in {@code \p{N}} instead of {@code \p{N}{1,3}},
 * and llama.cpp's two ports differ only there, hence {@code maxDigits}.
 */
final class Llama3Splitter extends SegmentSplitter {
    private final int maxDigits;

    Llama3Splitter(int maxDigits) {
        this.maxDigits = maxDigits;
    }

    @Override
    protected void splitSegment() {
        int pos = ini;
        while (pos < end) {
            int c = cpts[pos];
            int n = contraction(pos, true);
            if (n > 0) {
                pos += addToken(pos + n);
                continue;
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+ : any one non-letter prefix (even a space or punctuation)
            if (!(c == '\r' || c == '\n' || number(pos)) && (letter(pos) || letter(pos + 1))) {
                pos++;
                while (letter(pos)) pos++;
                addToken(pos);
                continue;
            }
            if (number(pos)) {
                int groupStart = pos;
                while (number(pos)) {
                    if (++pos - groupStart >= maxDigits) {
                        addToken(pos);
                        groupStart = pos;
                    }
                }
                addToken(pos);
                continue;
            }
            // ' ?[^\s\p{L}\p{N}]+[\r\n]*'; llama.cpp enters this branch also for a space at the segment end
            int p = c == ' ' ? pos + 1 : pos;
            if (!inRange(p) || other(p)) {
                pos = p;
                while (other(pos)) pos++;
                while (cpt(pos) == '\r' || cpt(pos) == '\n') pos++;
                addToken(pos);
                continue;
            }
            pos = whitespaceOrSingle(pos, true);
        }
    }
}
