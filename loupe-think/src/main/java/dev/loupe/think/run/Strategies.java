package dev.loupe.think.run;

import dev.loupe.core.LoupeException;
import dev.loupe.think.strategy.BeamSearch;
import dev.loupe.think.strategy.BestOfN;
import dev.loupe.think.strategy.Dvts;
import dev.loupe.think.strategy.MctsSearch;
import dev.loupe.think.strategy.SelfConsistency;
import dev.loupe.think.strategy.SelfDebug;
import dev.loupe.think.strategy.Selection;
import dev.loupe.think.strategy.SingleSample;
import dev.loupe.think.strategy.Strategy;
import dev.loupe.think.verify.UnitTests;
import dev.loupe.think.verify.Verifier;

import java.util.List;

/**
 * Strategies by name, for the CLI: one budget knob {@code n} means the number of candidates (best-of, majority),
 * beams (beam, dvts), MCTS rounds, or self-debug attempts.
 *
 * @param m            expansions per kept beam (beam, dvts) or children per expansion (mcts)
 * @param maxSteps     step limit of step-level searches
 * @param exploration  UCT constant of mcts
 * @param feedback     self-debug's feedback template
 */
public record Strategies(int m, int maxSteps, double exploration, String feedback) {
    public static final List<String> NAMES = List.of("single", "majority", "best-of", "weighted-best-of", "beam", "dvts", "mcts", "self-debug");

    public Strategy build(String name, int n, Verifier verifier, UnitTests tests) {
        if (n < 1) throw new LoupeException("N must be at least 1");
        return switch (name) {
            case "single" -> new SingleSample();
            case "majority" -> new SelfConsistency(n);
            case "best-of" -> new BestOfN(n, need(verifier, name), false);
            case "weighted-best-of" -> new BestOfN(n, need(verifier, name), true);
            case "beam" -> new BeamSearch(n, widthFor(n), maxSteps, need(verifier, name), Selection.Rule.WEIGHTED);
            case "dvts" -> new Dvts(n, widthFor(n), maxSteps, need(verifier, name), Selection.Rule.WEIGHTED);
            case "mcts" -> new MctsSearch(n, m, maxSteps, exploration, need(verifier, name));
            case "self-debug" -> {
                if (tests == null) throw new LoupeException("self-debug needs code problems (a \"tests\" field) and the sandbox");
                yield new SelfDebug(n, tests, feedback);
            }
            default -> throw new LoupeException("unknown strategy '" + name + "'; one of " + String.join(", ", NAMES));
        };
    }

    /** Beam width M, reduced to N when N is smaller so that small budgets still run (N=1 is a greedy step search). */
    private int widthFor(int n) {
        int w = Math.min(m, n);
        while (n % w != 0) w--;
        return w;
    }

    private static Verifier need(Verifier v, String name) {
        if (v == null) throw new LoupeException(name + " needs a verifier (--verifier arith|llm)");
        return v;
    }
}
