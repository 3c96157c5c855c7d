package dev.loupe.data.filter;

import java.util.ArrayList;
import java.util.List;

/**
 * The text splitting the quality rules share. Words are whitespace-separated tokens with punctuation stripped
 * from both ends; tokens that are only punctuation are not words. This stands in for NLTK's word_tokenize, which
 * the reference implementations use and which splits punctuation off the same way for English text.
 */
public final class Text {
    private Text() {}

    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        int n = text.length(), i = 0;
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) i++;
            int start = i;
            while (i < n && !Character.isWhitespace(text.charAt(i))) i++;
            int a = start, b = i;
            while (a < b && isPunct(text.charAt(a))) a++;
            while (b > a && isPunct(text.charAt(b - 1))) b--;
            if (a < b) out.add(text.substring(a, b));
        }
        return out;
    }

    /** Lines as Python's str.split("\n") gives them: a trailing newline yields a last empty line. */
    public static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        out.add(text.substring(start));
        return out;
    }

    public static boolean isPunct(char c) {
        int t = Character.getType(c);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION
                || t == Character.FINAL_QUOTE_PUNCTUATION || t == Character.OTHER_PUNCTUATION
                || (c < 128 && "$+<=>^`|~".indexOf(c) >= 0);
    }

    public static boolean hasLetter(String w) {
        for (int i = 0; i < w.length(); i++) if (Character.isLetter(w.charAt(i))) return true;
        return false;
    }

    public static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) n++;
        return n;
    }
}
