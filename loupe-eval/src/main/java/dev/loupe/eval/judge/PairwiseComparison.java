package dev.loupe.eval.judge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pairwise judging with position swapping, as MT-Bench: the judge sees (A, B) and then (B, A); a winner counts
 * only when both orders agree, and any disagreement (or an unparsable verdict) is a tie. A judge that always
 * prefers the first position therefore produces ties, not wins.
 */
public final class PairwiseComparison {
    public enum Winner { A, B, TIE }

    /** @param first verdict with A shown first; {@code swapped} with B shown first, in the shown order's letters */
    public record Pair(String id, String question, String answerA, String answerB, Verdict.Choice first, Verdict.Choice swapped,
                       Winner winner, String label, String judgmentFirst, String judgmentSwapped) {}

    private PairwiseComparison() {}

    public static List<Pair> compare(Judge judge, JudgePrompt prompt, List<Answer> a, List<Answer> b) {
        Map<String, Answer> byId = new java.util.HashMap<>();
        for (Answer x : b) byId.put(x.id(), x);
        List<Pair> out = new ArrayList<>();
        for (Answer x : a) {
            Answer y = byId.get(x.id());
            if (y == null) continue;
            String j1 = judge.ask(prompt, x.id(), prompt.pair(x, y));
            String j2 = judge.ask(prompt, x.id(), prompt.pair(y, x));
            Verdict.Choice v1 = Verdict.pairwise(j1), v2 = Verdict.pairwise(j2);
            out.add(new Pair(x.id(), x.question(), x.answer(), y.answer(), v1, v2, combine(v1, v2),
                    x.label() != null ? x.label() : y.label(), j1, j2));
        }
        return out;
    }

    /** Both orders mapped back to the candidates; they must agree. */
    static Winner combine(Verdict.Choice first, Verdict.Choice swapped) {
        Winner w1 = switch (first) { case A -> Winner.A; case B -> Winner.B; default -> Winner.TIE; };
        Winner w2 = switch (swapped) { case A -> Winner.B; case B -> Winner.A; default -> Winner.TIE; };
        return w1 == w2 ? w1 : Winner.TIE;
    }
}
