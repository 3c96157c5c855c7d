package dev.loupe.think;

import dev.loupe.core.sample.SamplingParams;
import dev.loupe.think.answer.AnswerExtractor;
import dev.loupe.think.answer.Answers;
import dev.loupe.think.strategy.BestOfN;
import dev.loupe.think.strategy.Problem;
import dev.loupe.think.strategy.Sampling;
import dev.loupe.think.strategy.Scored;
import dev.loupe.think.strategy.SelfConsistency;
import dev.loupe.think.strategy.SingleSample;
import dev.loupe.think.strategy.Strategy;
import dev.loupe.think.strategy.ThinkContext;
import dev.loupe.think.strategy.Trace;
import dev.loupe.think.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Self-consistency and best-of-N against a model that answers 42 (right) with probability 0.4, 41 with 0.3 and
 * 43 with 0.3, independently per sample. Expected accuracies are worked out by hand in each test (from the
 * multinomial distribution of answer counts) and compared with 2000 simulated problems.
 */
class VotingTest {
    static final int TRIALS = 2000;
    static final Map<String, Double> DIST = new LinkedHashMap<>();

    static {
        DIST.put("A42\n", 0.4);
        DIST.put("A41\n", 0.3);
        DIST.put("A43\n", 0.3);
    }

    static final ScriptedModel MODEL = new ScriptedModel(p -> DIST, (c, x) -> 0.0);

    /** A verifier fooled by 41: it scores 41 above the right answer, 43 far below. */
    static final Verifier FOOLED = new Verifier() {
        @Override
        public String name() {
            return "fooled";
        }

        @Override
        public double score(Problem problem, String solution, Sampling sampling) {
            return solution.contains("41") ? 0.95 : solution.contains("42") ? 0.9 : 0.1;
        }
    };

    static int correct(Strategy strategy) {
        int hits = 0;
        SamplingParams params = SamplingParams.defaults().withStop(List.of("\n"));
        for (int i = 0; i < TRIALS; i++) {
            Problem p = Problem.math("p" + i, "Q:", "42");
            ThinkContext ctx = new ThinkContext(new Sampling(MODEL, params, ";", 0, i), new AnswerExtractor.Math(), new Trace());
            Scored s = strategy.solve(p, ctx);
            if (s != null && Answers.equivalent(s.answer(), p.answer())) hits++;
        }
        return hits;
    }

    @Test
    void singleSampleIsRightWithTheModelsProbability() {
        Expect.binomial(correct(new SingleSample()), TRIALS, 0.4);
    }

    @Test
    void majorityOfThree() {
        // Right when 42 appears at least twice, or all three answers differ and 42 came first (ties go to the
        // earliest answer; by symmetry 42 is first in a third of those orderings):
        // P(X=3) + P(X=2) + P(41,42,43 in some order)/3 = 0.4^3 + 3*0.4^2*0.6 + 6*0.4*0.3*0.3/3 = 0.064+0.288+0.072.
        Expect.binomial(correct(new SelfConsistency(3)), TRIALS, 0.424);
    }

    @Test
    void majorityOfFiveBeatsOneSample() {
        // Right when 42 has strictly the most votes, or ties for most and appeared first. Enumerated below from
        // the multinomial (independent of the strategy code): counts (a, b, c) of 42, 41, 43.
        double p = 0;
        for (int a = 0; a <= 5; a++) {
            for (int b = 0; a + b <= 5; b++) {
                int c = 5 - a - b;
                double prob = multinomial(5, a, b, c) * Math.pow(0.4, a) * Math.pow(0.3, b) * Math.pow(0.3, c);
                int top = Math.max(a, Math.max(b, c));
                if (a != top) continue;
                int tied = 1 + (b == top ? 1 : 0) + (c == top ? 1 : 0);
                p += prob / tied;   // among tied answers, each is equally likely to have appeared first
            }
        }
        assertThat(p).isGreaterThan(0.4);
        Expect.binomial(correct(new SelfConsistency(5)), TRIALS, p);
    }

    @Test
    void bestOfFourFollowsTheVerifierIntoItsMistake() {
        // The verifier prefers 41, so best-of-4 is right only when no 41 was sampled and some 42 was:
        // 0.7^4 - 0.3^4 = 0.2401 - 0.0081.
        Expect.binomial(correct(new BestOfN(4, FOOLED, false)), TRIALS, 0.232);
    }

    @Test
    void weightedBestOfFourSumsScoresPerAnswer() {
        // 42 wins when 0.9*a > 0.95*b and 0.9*a > 0.1*c (counts a, b, c of 42, 41, 43).
        double p = 0;
        for (int a = 0; a <= 4; a++) {
            for (int b = 0; a + b <= 4; b++) {
                int c = 4 - a - b;
                if (0.9 * a > 0.95 * b && 0.9 * a > 0.1 * c) {
                    p += multinomial(4, a, b, c) * Math.pow(0.4, a) * Math.pow(0.3, b) * Math.pow(0.3, c);
                }
            }
        }
        // By hand, the winning (a, b, c): (1,0,3) 4*0.4*0.3^3 = 0.0432, (2,0,2) 6*0.4^2*0.3^2 = 0.0864,
        // (3,0,1) 4*0.4^3*0.3 = 0.0768, (4,0,0) 0.4^4 = 0.0256, (2,1,1) 12*0.4^2*0.3^2 = 0.1728, (3,1,0) 0.0768.
        assertThat(p).isCloseTo(0.4816, org.assertj.core.data.Offset.offset(1e-9));
        Expect.binomial(correct(new BestOfN(4, FOOLED, true)), TRIALS, p);
    }

    @Test
    void aRunIsReproducibleFromItsSeed() {
        SamplingParams params = SamplingParams.defaults().withStop(List.of("\n"));
        Problem p = Problem.math("p", "Q:", "42");
        Trace a = new Trace(), b = new Trace();
        new SelfConsistency(7).solve(p, new ThinkContext(new Sampling(MODEL, params, ";", 0, 99), new AnswerExtractor.Math(), a));
        new SelfConsistency(7).solve(p, new ThinkContext(new Sampling(MODEL, params, ";", 0, 99), new AnswerExtractor.Math(), b));
        assertThat(a.events()).isEqualTo(b.events());
        assertThat(a.events().getLast()).containsEntry("event", "choose").containsKey("totals");
    }

    @Test
    void theTokenBudgetStopsSampling() {
        SamplingParams params = SamplingParams.defaults().withStop(List.of("\n"));
        Sampling s = new Sampling(MODEL, params, ";", 8, 1);   // each candidate is 4 tokens ("A42" + stop)
        assertThat(s.solutions("Q:", 2)).hasSize(2);
        assertThat(s.budgetLeft()).isFalse();
        assertThat(s.solutions("Q:", 2)).isEmpty();
        assertThat(s.generated()).isEqualTo(8);
    }

    static double multinomial(int n, int a, int b, int c) {
        return fact(n) / (fact(a) * fact(b) * fact(c));
    }

    static double fact(int n) {
        double f = 1;
        for (int i = 2; i <= n; i++) f *= i;
        return f;
    }
}
