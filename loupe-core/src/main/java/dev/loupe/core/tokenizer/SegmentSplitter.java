package dev.loupe.core.tokenizer;

/**
 * Base of the hand-written splitters, ports of llama.cpp's unicode_regex_split_custom_* functions.
 * Those functions stand in for particular regexes, but they are what llama.cpp actually runs, so we
 * reproduce them step by step rather than the regexes they approximate. Positions outside the current
 * segment read as "no code point, no flags", as there.
 */
abstract class SegmentSplitter implements WordSplitter {
    static final int OUT_OF_RANGE = -1;

    /** State of the segment being split. */
    protected int[] cpts;
    protected int ini, end, prevEnd;
    private IntList out;

    @Override
    public final IntList split(int[] cpts, IntList segments) {
        this.cpts = cpts;
        this.out = new IntList();
        int start = 0;
        int[] lens = segments.toArray();
        for (int len : lens) {
            ini = start;
            end = start + len;
            prevEnd = ini;
            splitSegment();
            start = end;
        }
        return out;
    }

    /** Splits [ini, end) by calling {@link #addToken} with increasing end positions. */
    protected abstract void splitSegment();

    /** Ends the current word at {@code pos}; returns its length (0 adds nothing). */
    protected final int addToken(int pos) {
        int len = pos - prevEnd;
        if (len > 0) out.add(len);
        prevEnd = pos;
        return len;
    }

    protected final boolean inRange(int pos) {
        return pos >= ini && pos < end;
    }

    protected final int cpt(int pos) {
        return inRange(pos) ? cpts[pos] : OUT_OF_RANGE;
    }

    protected final boolean letter(int pos) {
        return inRange(pos) && CodepointFlags.isLetter(cpts[pos]);
    }

    protected final boolean number(int pos) {
        return inRange(pos) && CodepointFlags.isNumber(cpts[pos]);
    }

    protected final boolean space(int pos) {
        return inRange(pos) && CodepointFlags.isWhitespace(cpts[pos]);
    }

    /** In range and none of \s, \p{L}, \p{N}: the class [^\s\p{L}\p{N}]. */
    protected final boolean other(int pos) {
        return inRange(pos) && !space(pos) && !letter(pos) && !number(pos);
    }

    /**
     * The contraction alternatives ('s 't 're 've 'm 'll 'd) at {@code pos}; returns the match length
     * or 0. {@code ignoreCase} is the (?i:...) of Llama 3 and Qwen 2; GPT-2's are lowercase only.
     */
    protected final int contraction(int pos, boolean ignoreCase) {
        if (cpt(pos) != '\'' || pos + 1 >= end) return 0;
        int a = lower(cpt(pos + 1), ignoreCase);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
        if (pos + 2 < end) {
            int b = lower(cpt(pos + 2), ignoreCase);
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
        }
        return 0;
    }

    private static int lower(int cp, boolean ignoreCase) {
        return ignoreCase && cp >= 0 ? Character.toLowerCase(cp) : cp;
    }

    /**
     * The tail shared by all ported splitters: \s+(?!\S) then \s+, else a lone code point. With
     * {@code newlines}, first \s*[\r\n]+ (Llama 3 / Qwen 2): the run up to its last CR or LF.
     */
    protected final int whitespaceOrSingle(int pos, boolean newlines) {
        int n = 0;
        int lastNewlineEnd = 0;
        while (space(pos + n)) {
            int c = cpt(pos + n);
            if (newlines && (c == '\r' || c == '\n')) lastNewlineEnd = pos + n + 1;
            n++;
        }
        if (lastNewlineEnd > 0) {
            pos = lastNewlineEnd;
        } else if (n > 1 && cpt(pos + n) != OUT_OF_RANGE) {
            pos += n - 1; // leave the last space to prefix the next word
        } else if (n > 0) {
            pos += n;
        } else {
            pos++;
        }
        addToken(pos);
        return pos;
    }
}
