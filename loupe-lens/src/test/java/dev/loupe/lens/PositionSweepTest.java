package dev.loupe.lens;

import dev.loupe.core.lm.LocalLanguageModel;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.position.AnswerScorer;
import dev.loupe.lens.position.EngineScorer;
import dev.loupe.lens.position.LanguageModelScorer;
import dev.loupe.lens.position.PositionSweep;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The position sweep: prompts built exactly, a known U recovered from a fake model, the engine's scores checked. */
class PositionSweepTest extends FixtureModelTest {
    static final int[] BOS = {1}, FACT = {7, 50, 51}, QUERY = {8, 9}, ANSWER = {50, 51};
    static final int LENGTH = 40, FILLER = LENGTH - 1 - 3 - 2;

    static PositionSweep.Setup setup() {
        int[] filler = new int[3 * FILLER];
        for (int i = 0; i < filler.length; i++) filler[i] = 100 + i;
        return new PositionSweep.Setup(BOS, filler, FACT, QUERY, ANSWER, LENGTH);
    }

    /**
     * A model whose "attention" reaches only the first {@code a} and the last {@code b} prompt tokens: it finds the
     * fact's first token (7) among the tokens it sees and answers with the visible tokens that follow it there.
     */
    record WindowedModel(int a, int b) implements AnswerScorer {
        @Override
        public Score score(int[] prompt, int[] answer) {
            int n = prompt.length;
            int[][] spans = {Arrays.copyOfRange(prompt, 0, Math.min(a, n)), Arrays.copyOfRange(prompt, Math.max(0, n - b), n)};
            for (int[] seen : spans) {
                for (int i = 0; i < seen.length; i++) {
                    if (seen[i] != 7) continue;
                    int[] said = Arrays.copyOfRange(seen, i + 1, Math.min(seen.length, i + 1 + answer.length));
                    if (Arrays.equals(said, answer)) return new Score(0, true, 0);
                }
            }
            return new Score(Math.log(1.0 / 1000), false, 500);
        }
    }

    @Test
    void theFactLandsAtTheRequestedTokenPositions() {
        PositionSweep.Setup s = setup();
        double[] depths = PositionSweep.depths(11);
        assertThat(depths[0]).isZero();
        assertThat(depths[10]).isEqualTo(1.0);
        int[] starts = {1, 4, 8, 11, 15, 18, 21, 25, 28, 32, 35}; // 1 + round(depth · 34)
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < depths.length; i++) {
                PositionSweep.Prompt p = PositionSweep.build(s, depths[i], t);
                int at = starts[i], before = at - 1, base = 100 + t * FILLER;
                int[] tok = p.tokens();
                assertThat(p.factStart()).isEqualTo(at);
                assertThat(tok).hasSize(LENGTH);
                assertThat(tok[0]).isEqualTo(1);
                for (int j = 0; j < before; j++) assertThat(tok[1 + j]).isEqualTo(base + j);
                assertThat(Arrays.copyOfRange(tok, at, at + 3)).containsExactly(FACT);
                for (int j = before; j < FILLER; j++) assertThat(tok[at + 3 + j - before]).isEqualTo(base + j);
                assertThat(Arrays.copyOfRange(tok, LENGTH - 2, LENGTH)).containsExactly(QUERY);
            }
        }
    }

    @Test
    void aModelSeeingOnlyBothEndsGivesTheExpectedU() {
        // Fact [s, s+3) visible at the start when s + 3 <= 10, at the end when s >= 40 - 12 = 28 (s = 8 shows only
        // part of the fact: wrong).
        PositionSweep.Result r = PositionSweep.run(new WindowedModel(10, 12), setup(), PositionSweep.depths(11), 3, null);
        double[] acc = r.points().stream().mapToDouble(PositionSweep.Point::accuracy).toArray();
        assertThat(acc).containsExactly(1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1);
        double miss = Math.log(1.0 / 1000);
        assertThat(r.points().get(5).meanLogProb()).isCloseTo(miss, within(1e-12));
        assertThat(r.points().get(0).meanLogProb()).isZero();
        assertThat(r.points().get(5).meanRank()).isEqualTo(500);
        // A model that sees everything is flat.
        PositionSweep.Result all = PositionSweep.run(new WindowedModel(LENGTH, 0), setup(), PositionSweep.depths(5), 2, null);
        assertThat(all.points()).allSatisfy(p -> assertThat(p.accuracy()).isEqualTo(1.0));
    }

    @Test
    void tooLittleFillerIsAUserError() {
        PositionSweep.Setup s = setup();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PositionSweep.run(new WindowedModel(1, 1), s, PositionSweep.depths(3), 4, null))
                .isInstanceOf(dev.loupe.core.LoupeException.class).hasMessageContaining("filler");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PositionSweep.Setup(BOS, s.filler(), FACT, QUERY, ANSWER, 6))
                .isInstanceOf(dev.loupe.core.LoupeException.class);
    }

    @Test
    void engineScoresEqualTheLogSoftmaxOfTheFullRun() {
        Tokenizer tok = Tokenizer.fromMetadata(model.file().metadata());
        int[] a = tok.encode("The capital of France is Paris and the capital of Spain is", true, false);
        int[] b = a.clone();
        b[b.length - 2] = tok.encode("Italy", false, false)[0];
        int[] answer = tok.encode(" Madrid today", false, false);
        int V = model.config().vocabSize();
        try (EngineScorer es = new EngineScorer(model, pool, 64)) {
            for (int[] prompt : new int[][] {a, b, a}) {  // b shares a's prefix; then a again, from the reused cache
                int[] all = Arrays.copyOf(prompt, prompt.length + answer.length - 1);
                System.arraycopy(answer, 0, all, prompt.length, answer.length - 1);
                float[] logits = hm.run(all);
                double lp = 0;
                boolean greedy = true;
                int rank0 = 0;
                for (int i = 0; i < answer.length; i++) {
                    int row = (prompt.length - 1 + i) * V;
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int v = 0; v < V; v++) max = Math.max(max, logits[row + v]);
                    for (int v = 0; v < V; v++) sum += Math.exp(logits[row + v] - max);
                    lp += logits[row + answer[i]] - max - Math.log(sum);
                    int higher = 0;
                    for (int v = 0; v < V; v++) if (logits[row + v] > logits[row + answer[i]]) higher++;
                    if (i == 0) rank0 = higher;
                    greedy &= higher == 0;
                }
                AnswerScorer.Score got = es.score(prompt, answer);
                assertThat(got.logProb()).isCloseTo(lp, within(1e-3));
                assertThat(got.rank()).isEqualTo(rank0);
                assertThat(got.greedy()).isEqualTo(greedy);
            }
        }
        // The LanguageModel route scores the same text the same way (rank unknown).
        try (LocalLanguageModel lm = new LocalLanguageModel(TestModels.shared().resolve("fixtures/models/tiny-llama-f32.gguf"), 2, 64);
             EngineScorer es = new EngineScorer(model, pool, 64)) {
            AnswerScorer.Score viaLm = new LanguageModelScorer(lm, tok).score(a, answer);
            assertThat(viaLm.logProb()).isCloseTo(es.score(a, answer).logProb(), within(1e-3));
            assertThat(viaLm.rank()).isEqualTo(-1);
        }
    }
}
