package dev.loupe.think.strategy;

import dev.loupe.think.answer.Answers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three ways to pick one of several finished candidates, each recording its decision in the trace. Ties go
 * to the earliest candidate (the earliest-seen answer for votes), so a run is deterministic.
 */
public final class Selection {
    private Selection() {}

    /** How to choose among scored candidates. */
    public enum Rule {
        /** the single highest-scored candidate (search-and-learn's "best-of-N") */
        BEST,
        /** the answer whose candidates' scores sum highest ("weighted best-of-N") */
        WEIGHTED,
        /** the most frequent answer, scores ignored (self-consistency) */
        MAJORITY
    }

    /** The chosen candidate, or null when no candidate has an answer (or there are none). */
    public static Scored choose(List<Scored> candidates, Rule rule, Trace trace) {
        return switch (rule) {
            case BEST -> best(candidates, trace);
            case WEIGHTED -> vote(candidates, true, trace);
            case MAJORITY -> vote(candidates, false, trace);
        };
    }

    private static Scored best(List<Scored> candidates, Trace trace) {
        Scored best = null;
        int at = -1;
        for (int i = 0; i < candidates.size(); i++) {
            Scored c = candidates.get(i);
            if (best == null || c.score() > best.score()) {
                best = c;
                at = i;
            }
        }
        if (best != null) trace.add("choose", "rule", "best", "candidate", at, "answer", best.answer(), "score", best.score());
        return best;
    }

    private static Scored vote(List<Scored> candidates, boolean weighted, Trace trace) {
        Map<String, Double> totals = new LinkedHashMap<>();
        Map<String, Scored> first = new LinkedHashMap<>();
        for (Scored c : candidates) {
            if (c.answer() == null) continue;
            String key = Answers.key(c.answer());
            totals.merge(key, weighted ? c.score() : 1.0, Double::sum);
            first.putIfAbsent(key, c);
        }
        String winner = null;
        for (Map.Entry<String, Double> e : totals.entrySet()) {
            if (winner == null || e.getValue() > totals.get(winner)) winner = e.getKey();
        }
        trace.add("choose", "rule", weighted ? "weighted" : "majority", "totals", totals, "answer", winner);
        return winner == null ? null : first.get(winner);
    }
}
