package dev.loupe.core.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts special token texts out of the input before the model's tokenizer sees it, as llama.cpp's
 * tokenizer_st_partition: longest special tokens first, each split out of every remaining text piece,
 * honouring LSTRIP/RSTRIP (the token swallows adjacent ASCII whitespace). User-defined tokens are
 * always split out; control and unknown tokens only when parsing special tokens is asked for.
 */
final class SpecialTokenSplitter {
    private final Vocab vocab;

    SpecialTokenSplitter(Vocab vocab) {
        this.vocab = vocab;
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) return fragments;
        fragments.add(new Fragment.Text(text));
        for (int id : vocab.specialCache) {
            if (!parseSpecial && vocab.has(id, TokenAttr.CONTROL | TokenAttr.UNKNOWN)) continue;
            String special = vocab.text(id);
            List<Fragment> next = new ArrayList<>(fragments.size() + 2);
            for (Fragment f : fragments) {
                if (f instanceof Fragment.Text(String s) && s.contains(special)) {
                    cut(s, id, special, next);
                } else {
                    next.add(f);
                }
            }
            fragments = next;
        }
        return fragments;
    }

    private void cut(String s, int id, String special, List<Fragment> out) {
        boolean lstrip = vocab.has(id, TokenAttr.LSTRIP);
        boolean rstrip = vocab.has(id, TokenAttr.RSTRIP);
        int base = 0;
        int match;
        while (base < s.length() && (match = s.indexOf(special, base)) >= 0) {
            int leftEnd = match;
            if (lstrip) while (leftEnd > base && isSpace(s.charAt(leftEnd - 1))) leftEnd--;
            if (leftEnd > base) out.add(new Fragment.Text(s.substring(base, leftEnd)));
            out.add(new Fragment.Token(id));
            base = match + special.length();
            if (rstrip) while (base < s.length() && isSpace(s.charAt(base))) base++;
        }
        if (base < s.length()) out.add(new Fragment.Text(s.substring(base)));
    }

    /** C's isspace in the "C" locale, which is what llama.cpp uses on the raw bytes. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
