package dev.loupe.core.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer regex with no hand-written port, run the way llama.cpp runs it through std::regex:
 * when the regex uses Unicode categories, every code point of the text is first "collapsed" to one
 * character (ASCII as is, other whitespace to \x0B, a non-ASCII letter to \xD2, a number to \xD1, ...)
 * and each \p{..} in the regex becomes a class of that stand-in plus its ASCII members. Doing the same
 * here makes Java's engine see exactly what std::regex sees. Matches and the gaps between them both
 * become words.
 */
final class RegexSplitter implements WordSplitter {
    private static final List<String> CATEGORIES = List.of("\\p{N}", "\\p{L}", "\\p{P}", "\\p{M}", "\\p{S}",
            "\\p{Lu}", "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}");

    private final Pattern pattern;
    private final boolean collapsed;

    RegexSplitter(String regex) {
        this.collapsed = CATEGORIES.stream().anyMatch(regex::contains);
        this.pattern = Pattern.compile(collapsed ? collapseRegex(regex) : regex);
    }

    @Override
    public IntList split(int[] cpts, IntList segments) {
        // One char per code point keeps match offsets equal to code point offsets.
        char[] text = new char[cpts.length];
        boolean oneCharEach = true;
        for (int i = 0; i < cpts.length; i++) {
            int cp = cpts[i];
            char c;
            if (cp < 128) c = (char) cp;
            else if (CodepointFlags.isWhitespace(cp)) c = 0x0B;
            else if (collapsed) c = collapsedChar(cp);
            else if (cp <= 0xFFFF) c = (char) cp;
            else { c = 0xFFFF; oneCharEach = false; }
            text[i] = c;
        }
        if (!oneCharEach) {
            // Astral code points in a category-free regex: a rare case llama.cpp's wregex handles natively.
            throw new IllegalStateException("pre-tokenizer regex " + pattern + " cannot split text with astral code points");
        }
        IntList out = new IntList();
        String s = new String(text);
        int start = 0;
        for (int len : segments.toArray()) {
            Matcher m = pattern.matcher(s).region(start, start + len);
            int last = start;
            while (m.find()) {
                if (m.start() > last) out.add(m.start() - last);
                if (m.end() > m.start()) out.add(m.end() - m.start());
                last = m.end();
            }
            if (last < start + len) out.add(start + len - last);
            start += len;
        }
        return out;
    }

    private static char collapsedChar(int cp) {
        return switch (CodepointFlags.category(cp)) {
            case CodepointFlags.NUMBER -> 0xD1;
            case CodepointFlags.LETTER -> 0xD2;
            case CodepointFlags.PUNCTUATION -> 0xD3;
            case CodepointFlags.MARK -> 0xD4;
            case CodepointFlags.SYMBOL -> 0xD5;
            default -> 0xD0;
        };
    }

    /** Replaces each \p{..} by its stand-in char plus ASCII members, bracketed unless already inside [...]. */
    static String collapseRegex(String regex) {
        StringBuilder sb = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '[' && (i == 0 || regex.charAt(i - 1) != '\\')) {
                sb.append('[');
                inside = true;
                continue;
            }
            if (inside && c == ']' && regex.charAt(i - 1) != '\\') {
                sb.append(']');
                inside = false;
                continue;
            }
            if (c == '\\' && i + 3 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                int close = regex.indexOf('}', i + 3);
                if (close >= 0 && close <= i + 10) {
                    String members = members(regex.substring(i, close + 1));
                    if (members != null) {
                        sb.append(inside ? members : "[" + members + "]");
                        i = close;
                        continue;
                    }
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static String members(String category) {
        return switch (category) {
            case "\\p{N}" -> "\\x{D1}0-9";
            case "\\p{L}", "\\p{Lu}", "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}" -> "\\x{D2}A-Za-z";
            case "\\p{P}" -> "\\x{D3}!-#%-*,-/:-;?-@\\[-\\]_\\{\\}";
            case "\\p{M}" -> "\\x{D4}";
            case "\\p{S}" -> "\\x{D5}\\$\\+<->\\^`\\|\\~";
            default -> null;
        };
    }
}
