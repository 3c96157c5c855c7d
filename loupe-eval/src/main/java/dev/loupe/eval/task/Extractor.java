package dev.loupe.eval.task;

import dev.loupe.core.LoupeException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Pulls the answer out of text, as the harness's "regex" filter (lm_eval/filters/extraction.py RegexFilter):
 * the chosen match's group, or a fallback. GSM8K's strict-match is {@code #### (\-?[0-9\.\,]+)}; its
 * flexible-extract takes the last number, which is {@code fallback: last_number} here.
 */
public final class Extractor {
    /** The harness's GSM8K flexible-extract pattern: a number with optional sign, $, commas and decimals. */
    static final Pattern NUMBER = Pattern.compile("(-?[$0-9.,]{2,})|(-?[0-9]+)");
    public static final Extractor IDENTITY = new Extractor(null, 0, false, false);

    private final Pattern regex;
    private final int group;
    private final boolean last;
    private final boolean lastNumberFallback;

    private Extractor(Pattern regex, int group, boolean last, boolean lastNumberFallback) {
        this.regex = regex;
        this.group = group;
        this.last = last;
        this.lastNumberFallback = lastNumberFallback;
    }

    public static Extractor of(TaskSpec.ExtractSpec spec, String where) {
        if (spec == null) return IDENTITY;
        Pattern p = null;
        if (spec.regex() != null) {
            try {
                p = Pattern.compile(spec.regex());
            } catch (PatternSyntaxException e) {
                throw new LoupeException(where + ": bad regex '" + spec.regex() + "': " + e.getDescription());
            }
        }
        int group = spec.group() != null ? spec.group() : (p != null && p.matcher("").groupCount() >= 1 ? 1 : 0);
        if (p != null && group > p.matcher("").groupCount()) {
            throw new LoupeException(where + ": regex '" + spec.regex() + "' has no group " + group);
        }
        String select = spec.select() == null ? "first" : spec.select();
        if (!select.equals("first") && !select.equals("last")) {
            throw new LoupeException(where + ": select must be 'first' or 'last', got '" + select + "'");
        }
        String fb = spec.fallback();
        if (fb != null && !fb.equals("last_number") && !fb.equals("none")) {
            throw new LoupeException(where + ": fallback must be 'last_number' or 'none', got '" + fb + "'");
        }
        return new Extractor(p, group, select.equals("last"), "last_number".equals(fb));
    }

    /** The extracted answer, or null when nothing matched (scored as wrong, recorded as "[invalid]" by the harness). */
    public String apply(String text) {
        if (regex == null && !lastNumberFallback) return text.strip();
        if (regex != null) {
            String hit = select(regex.matcher(text), group);
            if (hit != null) return hit.strip();
        }
        if (lastNumberFallback) {
            Matcher m = NUMBER.matcher(text);
            String hit = null;
            while (m.find()) hit = m.group();
            return hit;
        }
        return null;
    }

    private String select(Matcher m, int g) {
        String hit = null;
        while (m.find()) {
            hit = m.group(g);
            if (!last) break;
        }
        return hit;
    }
}
