package dev.loupe.core.tokenizer;

/**
 * llama.cpp's clean_up_tokenization_spaces on detokenized bytes, ported pass for pass in place
 * (including the second pass zeroing a byte ahead, which the third pass then sees): removes the
 * space before ? ! . , and before 's 'm 're 've, and the spaces around a lone apostrophe.
 */
final class SpaceCleaner {
    private SpaceCleaner() {}

    /** Cleans {@code t[0, total)} in place and returns the new length. */
    static int clean(byte[] t, int total) {
        final int total1 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total1; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) total--;
            t[total++] = x;
        }
        final int total2 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total2; i++) {
            byte x = t[i];
            if (x == '\'' && i + 1 < total2 && t[i - 1] == ' ' && t[i + 1] == ' ') {
                total--;
                t[++i] = 0;
            }
            t[total++] = x;
        }
        final int total3 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total3; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
                byte x1 = t[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (x1 != 't' && x1 != 'd' && i + 2 < total3) {
                    byte x2 = t[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) total--;
                }
            }
            t[total++] = x;
        }
        return total;
    }
}
