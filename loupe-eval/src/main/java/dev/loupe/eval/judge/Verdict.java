package dev.loupe.eval.judge;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing judge output, with FastChat's patterns (llm_judge/common.py). */
public final class Verdict {
    /** one_score_pattern and its backup. */
    private static final Pattern SCORE = Pattern.compile("\\[\\[(\\d+\\.?\\d*)\\]\\]");
    private static final Pattern SCORE_BACKUP = Pattern.compile("\\[(\\d+\\.?\\d*)\\]");

    private Verdict() {}

    public enum Choice { A, B, TIE, ERROR }

    /** A 1-10 rating, or NaN when the judge gave none. */
    public static double rating(String judgment) {
        Matcher m = SCORE.matcher(judgment);
        if (!m.find()) {
            m = SCORE_BACKUP.matcher(judgment);
            if (!m.find()) return Double.NaN;
        }
        return Double.parseDouble(m.group(1));
    }

    /** FastChat: "[[A]]" in the text means A, "[[B]]" B, "[[C]]" a tie; none of them is an error. */
    public static Choice pairwise(String judgment) {
        if (judgment.contains("[[A]]")) return Choice.A;
        if (judgment.contains("[[B]]")) return Choice.B;
        if (judgment.contains("[[C]]")) return Choice.TIE;
        return Choice.ERROR;
    }
}
