package dev.loupe.train.bpe;

import java.util.function.Consumer;

/**
 * Splits text into the words BPE merges never cross, exactly as llama.cpp's hand-written version of GPT-2's
 * regex {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} does (Loupe's engine
 * ports the same function). A trainer that split differently would learn merges the engine never applies, so
 * this is a port of the engine's splitter rather than the regex.
 */
public final class Gpt2PreTokenizer {
    private Gpt2PreTokenizer() {}

    /** Calls {@code word} with each pre-token of {@code text}, in order; their concatenation is {@code text}. */
    public static void split(String text, Consumer<String> word) {
        int[] cp = text.codePoints().toArray();
        int end = cp.length;
        int pos = 0, start = 0;
        while (pos < end) {
            int n = contraction(cp, pos, end);
            if (n > 0) {
                pos += n;
            } else {
                int p = cp[pos] == ' ' ? pos + 1 : pos;
                if (p < end && Character.isLetter(cp[p])) {
                    pos = p;
                    while (pos < end && Character.isLetter(cp[pos])) pos++;
                } else if (p < end && isNumber(cp[p])) {
                    pos = p;
                    while (pos < end && isNumber(cp[pos])) pos++;
                } else if (p < end && isOther(cp[p])) {
                    pos = p;
                    while (pos < end && isOther(cp[pos])) pos++;
                } else {
                    int s = 0;
                    while (pos + s < end && isSpace(cp[pos + s])) s++;
                    if (s > 1 && pos + s < end) pos += s - 1; // \s+(?!\S): the last space prefixes the next word
                    else pos += Math.max(s, 1);
                }
            }
            word.accept(new String(cp, start, pos - start));
            start = pos;
        }
    }

    private static int contraction(int[] cp, int pos, int end) {
        if (cp[pos] != '\'' || pos + 1 >= end) return 0;
        int a = cp[pos + 1];
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
        if (pos + 2 < end) {
            int b = cp[pos + 2];
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
        }
        return 0;
    }

    static boolean isNumber(int c) {
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    /** llama.cpp's whitespace set (unicode.cpp), which is Unicode White_Space. */
    static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == ' ' || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A)
                || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    private static boolean isOther(int c) {
        return !isSpace(c) && !Character.isLetter(c) && !isNumber(c);
    }
}
