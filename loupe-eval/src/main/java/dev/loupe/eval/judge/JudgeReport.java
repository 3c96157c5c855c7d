package dev.loupe.eval.judge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Win rates, the length-bias table, agreement with reference labels, and the self-preference warning. */
public final class JudgeReport {
    /** Buckets of |len(A) - len(B)| in characters. */
    static final int[] BUCKETS = {0, 50, 200, 500, Integer.MAX_VALUE};

    public record LengthRow(String bucket, int decided, int longerWins, double longerWinRate) {}

    public record Summary(int pairs, int winsA, int winsB, int ties, int unparsed, List<LengthRow> lengthBias, Integer labelled, Double agreement,
                          String warning) {}

    private JudgeReport() {}

    public static Summary summarize(List<PairwiseComparison.Pair> pairs, String judgeName, String modelA, String modelB) {
        int wa = 0, wb = 0, ties = 0, labelled = 0, agree = 0, unparsed = 0;
        for (var p : pairs) {
            if (p.first() == Verdict.Choice.ERROR) unparsed++;
            if (p.swapped() == Verdict.Choice.ERROR) unparsed++;
            switch (p.winner()) { case A -> wa++; case B -> wb++; case TIE -> ties++; }
            PairwiseComparison.Winner label = parseLabel(p.label());
            if (label != null) { labelled++; if (label == p.winner()) agree++; }
        }
        return new Summary(pairs.size(), wa, wb, ties, unparsed, lengthBias(pairs), labelled == 0 ? null : labelled,
                labelled == 0 ? null : (double) agree / labelled, selfPreference(judgeName, modelA, modelB));
    }

    private static PairwiseComparison.Winner parseLabel(String label) {
        if (label == null) return null;
        return switch (label.strip().toLowerCase(Locale.ROOT)) {
            case "a", "model_a" -> PairwiseComparison.Winner.A;
            case "b", "model_b" -> PairwiseComparison.Winner.B;
            case "tie", "c", "tie (bothbad)" -> PairwiseComparison.Winner.TIE;
            default -> null;
        };
    }

    /** Among decided pairs (not ties) with different lengths, how often the longer answer won, per length gap. */
    static List<LengthRow> lengthBias(List<PairwiseComparison.Pair> pairs) {
        List<LengthRow> rows = new ArrayList<>();
        for (int b = 0; b + 1 < BUCKETS.length; b++) {
            int decided = 0, longer = 0;
            for (var p : pairs) {
                int diff = p.answerA().length() - p.answerB().length();
                if (diff == 0 || p.winner() == PairwiseComparison.Winner.TIE) continue;
                int gap = Math.abs(diff);
                if (gap <= BUCKETS[b] || gap > BUCKETS[b + 1]) continue;
                decided++;
                if ((diff > 0) == (p.winner() == PairwiseComparison.Winner.A)) longer++;
            }
            String name = BUCKETS[b + 1] == Integer.MAX_VALUE ? ">" + BUCKETS[b] : (BUCKETS[b] + 1) + "-" + BUCKETS[b + 1];
            rows.add(new LengthRow(name + " chars", decided, longer, decided == 0 ? Double.NaN : (double) longer / decided));
        }
        return rows;
    }

    /** Judges rate their own outputs higher (Zheng et al. 2023, MT-Bench paper §3.3); say so when it applies. */
    public static String selfPreference(String judge, String... candidates) {
        for (String c : candidates) {
            if (c != null && judge != null && c.equals(judge)) {
                return "warning: the judge (" + judge + ") is also a candidate; LLM judges favour their own answers (self-preference bias)";
            }
        }
        return null;
    }

    public static String render(Summary s) {
        StringBuilder sb = new StringBuilder();
        if (s.warning() != null) sb.append(s.warning()).append('\n');
        sb.append(String.format(Locale.ROOT, "pairs %d: A wins %d, B wins %d, ties %d (a tie includes every order disagreement)%n",
                s.pairs(), s.winsA(), s.winsB(), s.ties()));
        if (s.unparsed() > 0) sb.append(String.format(Locale.ROOT, "%d of %d judgments had no [[A]]/[[B]]/[[C]] verdict (counted as ties)%n", s.unparsed(), 2 * s.pairs()));
        sb.append("length bias (decided pairs): gap, n, longer answer's win rate\n");
        for (LengthRow r : s.lengthBias()) {
            sb.append(String.format(Locale.ROOT, "  %-16s %4d  %s%n", r.bucket(), r.decided(),
                    Double.isNaN(r.longerWinRate()) ? "n/a" : String.format(Locale.ROOT, "%.3f", r.longerWinRate())));
        }
        if (s.agreement() != null) sb.append(String.format(Locale.ROOT, "agreement with reference labels: %.3f over %d%n", s.agreement(), s.labelled()));
        return sb.toString();
    }
}
