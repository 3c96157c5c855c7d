package dev.loupe.core.tokenizer;

/** GPT-2's {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, as llama.cpp hand-codes it. */
final class Gpt2Splitter extends SegmentSplitter {
    @Override
    protected void splitSegment() {
        int pos = ini;
        while (pos < end) {
            int c = cpts[pos];
            int n = contraction(pos, false);
            if (n > 0) {
                pos += addToken(pos + n);
                continue;
            }
            int p = c == ' ' ? pos + 1 : pos; // optional leading space
            if (letter(p)) {
                pos = p;
                while (letter(pos)) pos++;
                addToken(pos);
            } else if (number(p)) {
                pos = p;
                while (number(pos)) pos++;
                addToken(pos);
            } else if (other(p)) {
                pos = p;
                while (other(pos)) pos++;
                addToken(pos);
            } else {
                pos = whitespaceOrSingle(pos, false);
            }
        }
    }
}
