package dev.loupe.data.synth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The final answer of a sample, for voting: GSM8K's {@code #### X}, else "the answer is X" / "Answer: X", else
 * the last number in the text. Numbers are normalized ("1,200.0" and "1200" vote together).
 */
public final class Answers {
    private static final Pattern MARKED = Pattern.compile("(?i)(?:####|answer\\s*(?:is|:|=))\\s*\\$?\\s*(-?[\\d,]*\\.?\\d+|[^\\s.,;]+)");
    private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?");

    private Answers() {}

    /** The answer, or null when the sample has neither a marked answer nor a number. */
    public static String extract(String sample) {
        String found = null;
        Matcher m = MARKED.matcher(sample);
        while (m.find()) found = m.group(1); // the last marked answer: models restate
        if (found == null) {
            Matcher n = NUMBER.matcher(sample);
            while (n.find()) found = n.group();
        }
        return found == null ? null : normalize(found);
    }

    static String normalize(String a) {
        String s = a.replace(",", "").strip();
        try {
            return new java.math.BigDecimal(s).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return s.toLowerCase(java.util.Locale.ROOT);
        }
    }
}
