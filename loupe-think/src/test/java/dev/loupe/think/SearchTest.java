package dev.loupe.think;

import dev.loupe.core.sample.SamplingParams;
import dev.loupe.think.answer.AnswerExtractor;
import dev.loupe.think.answer.Answers;
import dev.loupe.think.search.Mcts;
import dev.loupe.think.search.SearchTree;
import dev.loupe.think.strategy.BeamSearch;
import dev.loupe.think.strategy.Dvts;
import dev.loupe.think.strategy.MctsSearch;
import dev.loupe.think.strategy.Problem;
import dev.loupe.think.strategy.Sampling;
import dev.loupe.think.strategy.Scored;
import dev.loupe.think.strategy.Selection;
import dev.loupe.think.strategy.SingleSample;
import dev.loupe.think.strategy.Strategy;
import dev.loupe.think.strategy.ThinkContext;
import dev.loupe.think.strategy.Trace;
import dev.loupe.think.verify.ArithmeticCheck;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SearchTest {

    /**
     * A small known tree, depth 3, branching 3; leaf "abc" has reward R[a][b][c]. The optimum (0.95 at "2,0,1")
     * sits under the first-level child whose other leaves are poor, so greedy averaging on one sample would miss it.
     */
    static final double[][][] R = {
            {{0.6, 0.6, 0.6}, {0.6, 0.6, 0.6}, {0.6, 0.6, 0.6}},
            {{0.5, 0.7, 0.5}, {0.4, 0.4, 0.4}, {0.3, 0.3, 0.8}},
            {{0.0, 0.95, 0.0}, {0.1, 0.0, 0.1}, {0.0, 0.1, 0.0}},
    };

    @Test
    void mctsFindsTheOptimumOfASmallKnownTree() {
        Random rng = new Random(3);
        SearchTree<List<Integer>> tree = new SearchTree<>() {
            @Override
            public List<List<Integer>> children(List<Integer> s) {
                return List.of(append(s, 0), append(s, 1), append(s, 2));
            }

            @Override
            public boolean terminal(List<Integer> s) {
                return s.size() == 3;
            }

            @Override
            public double value(List<Integer> s) {
                List<Integer> leaf = s;
                while (leaf.size() < 3) leaf = append(leaf, rng.nextInt(3));   // random rollout
                return R[leaf.get(0)][leaf.get(1)][leaf.get(2)];
            }
        };
        Mcts<List<Integer>> mcts = new Mcts<>(tree, List.of(), Math.sqrt(2));
        mcts.run(3000, null);
        List<Mcts.Node<List<Integer>>> path = mcts.bestPath();
        assertThat(path.getLast().state()).isEqualTo(List.of(2, 0, 1));
        // The value backed up to the optimum's leaf is its reward exactly (a terminal's value is deterministic).
        assertThat(path.getLast().mean()).isCloseTo(0.95, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(mcts.root().visits()).isEqualTo(3000);
    }

    private static List<Integer> append(List<Integer> s, int x) {
        var l = new java.util.ArrayList<>(s);
        l.add(x);
        return List.copyOf(l);
    }

    /**
     * "12+34+51:" solved in two steps. First step: right (12+34=46) with probability 0.3, else 12+34=47.
     * After the right step the second is right (46+51=97) half the time; after the wrong one the model
     * carries on consistently (47+51=98). So one sample is right with probability 0.3*0.5 = 0.15, while a
     * search guided by a step checker that knows nothing of the answer should find the right path whenever
     * it samples it.
     */
    static final ScriptedModel STEPS = new ScriptedModel(prompt -> {
        String partial = prompt.substring(prompt.indexOf(':') + 1);
        Map<String, Double> d = new LinkedHashMap<>();
        switch (partial) {
            case "" -> {
                d.put("12+34=46;46+51=97;A97\n", 0.15);
                d.put("12+34=46;46+51=96;A96\n", 0.15);
                d.put("12+34=47;47+51=98;A98\n", 0.7);
            }
            case "12+34=46;" -> {
                d.put("46+51=97;A97\n", 0.5);
                d.put("46+51=96;A96\n", 0.5);
            }
            case "12+34=47;" -> d.put("47+51=98;A98\n", 1.0);
            default -> d.put("A" + partial.replaceAll(".*=(\\d+);$", "$1") + "\n", 1.0);
        }
        return d;
    }, (c, x) -> 0.0);

    static double accuracy(Strategy strategy, int trials) {
        int hits = 0;
        SamplingParams params = SamplingParams.defaults().withStop(List.of("\n"));
        for (int i = 0; i < trials; i++) {
            Problem p = Problem.math("p" + i, "12+34+51:", "97");
            Scored s = strategy.solve(p, new ThinkContext(new Sampling(STEPS, params, ";", 0, i), new AnswerExtractor.Math(), new Trace()));
            if (s != null && Answers.equivalent(s.answer(), p.answer())) hits++;
        }
        return (double) hits / trials;
    }

    @Test
    void arithmeticCheckScoresStepsWithoutKnowingTheAnswer() {
        Problem p = Problem.math("p", "12+34+51:", null);
        ArithmeticCheck check = new ArithmeticCheck();
        assertThat(check.score(p, "12+34=46;46+51=97;A97", null)).isEqualTo(1.0);
        // 46+51=96 is false (1 of its 2 checks), and A96 matches the last result: 4 of 5 checks pass.
        assertThat(check.score(p, "12+34=46;46+51=96;A96", null)).isEqualTo(4.0 / 5);
        // 12+34=47 is false; 47+51=98 is true and uses the earlier result: 3 of 4.
        assertThat(check.score(p, "12+34=47;47+51=98;", null)).isEqualTo(3.0 / 4);
        // 12+35=47 is true but 35 is not in the problem: 1 of 2.
        assertThat(check.score(p, "12+35=47;", null)).isEqualTo(0.5);
        assertThat(check.score(p, "A97", null)).isEqualTo(0.0);   // an answer with no work behind it
    }

    @Test
    void stepSearchesBeatOneSampleWithAStepChecker() {
        Expect.binomial((int) Math.round(accuracy(new SingleSample(), 1000) * 1000), 1000, 0.15);
        // Beam n=4, m=2: right when some first step is right (1 - 0.7^4 = 0.76) and then some of its 2 (or 4 when
        // both kept beams are right) second steps is: computed exactly by enumerating the kept beams is long;
        // a lower bound suffices to show the search works: P(>=1 right first step) * P(>=1 right of 2) = 0.76*0.75.
        assertThat(accuracy(new BeamSearch(4, 2, 4, new ArithmeticCheck(), Selection.Rule.BEST), 200)).isGreaterThan(0.76 * 0.75 - 0.06);
        // DVTS n=4, m=2: two subtrees; each is right when one of its 2 first steps is right (0.51) and one of
        // the 2 second steps after it is (0.75): 0.3825; right overall unless both fail: 1 - 0.6175^2 = 0.619.
        double dvts = accuracy(new Dvts(4, 2, 4, new ArithmeticCheck(), Selection.Rule.BEST), 1000);
        Expect.binomial((int) Math.round(dvts * 1000), 1000, 1 - Math.pow(1 - 0.51 * 0.75, 2));
        // MCTS, 12 rounds, 4 children per expansion: the root's one expansion holds a right first step with
        // probability 1 - 0.7^4 = 0.76, and the rounds under it then find a right second step most of the time.
        assertThat(accuracy(new MctsSearch(12, 4, 4, 1.0, new ArithmeticCheck()), 150)).isGreaterThan(0.55);
    }

    @Test
    void beamSearchTracesEveryStepAndItsChoice() {
        SamplingParams params = SamplingParams.defaults().withStop(List.of("\n"));
        Trace trace = new Trace();
        Problem p = Problem.math("p", "12+34+51:", "97");
        new BeamSearch(4, 2, 4, new ArithmeticCheck(), Selection.Rule.BEST)
                .solve(p, new ThinkContext(new Sampling(STEPS, params, ";", 0, 5), new AnswerExtractor.Math(), trace));
        List<String> kinds = trace.events().stream().map(e -> (String) e.get("event")).toList();
        assertThat(kinds).contains("step", "keep", "choose");
        assertThat(kinds.stream().filter("step"::equals).count()).isGreaterThanOrEqualTo(4);
        assertThat(trace.events().getFirst()).containsKeys("depth", "parent", "step", "score", "complete");
    }
}
