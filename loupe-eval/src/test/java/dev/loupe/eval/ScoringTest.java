package dev.loupe.eval;

import dev.loupe.core.lm.LanguageModel.LogLikelihood;
import dev.loupe.eval.metric.Item;
import dev.loupe.eval.metric.Metric;
import dev.loupe.eval.run.Outcome;
import dev.loupe.eval.run.Scoring;
import dev.loupe.eval.task.Extractor;
import dev.loupe.eval.task.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Per-row scoring against values computed by hand. */
class ScoringTest {

    private static LogLikelihood ll(double v) {
        return new LogLikelihood(v, false, 1);
    }

    @Test
    void accPicksTheHighestLogLikelihoodAndAccNormDividesByChoiceLength() {
        // lls -2, -4, -3 over choices of length 1, 4, 2: argmax is 0; normalized -2, -1, -1.5: argmax is 1.
        Outcome.Choice o = Scoring.multipleChoice("Q:", List.of("a", "bbbb", "cc"), List.of(ll(-2), ll(-4), ll(-3)), 1,
                List.of(Metric.ACC, Metric.ACC_NORM));
        assertThat(o.pred()).isZero();
        assertThat(o.predNorm()).isEqualTo(1);
        assertThat(o.metrics().get("acc").value()).isZero();
        assertThat(o.metrics().get("acc_norm").value()).isEqualTo(1.0);
    }

    @Test
    void accNormCountsCharactersNotUtf16UnitsAndTiesGoToTheFirstChoice() {
        // "😀😀" is 2 code points (Python len) but 4 UTF-16 units: -2/2 = -1 beats -1.5/1.
        Outcome.Choice o = Scoring.multipleChoice("Q:", List.of("x", "😀😀"), List.of(ll(-1.5), ll(-2)), 1, List.of(Metric.ACC_NORM));
        assertThat(o.predNorm()).isEqualTo(1);
        Outcome.Choice tie = Scoring.multipleChoice("Q:", List.of("a", "b"), List.of(ll(-1), ll(-1)), 1, List.of(Metric.ACC));
        assertThat(tie.pred()).isZero();
    }

    @Test
    void rollingMetricsAreCorpusRatiosAsTheHarnessAggregates() {
        Outcome.Rolling a = Scoring.rolling("the cat sat", new LogLikelihood(-6, false, 4), Metric.defaults(dev.loupe.eval.task.RequestType.LOGLIKELIHOOD_ROLLING));
        Outcome.Rolling b = Scoring.rolling("héllo wörld", new LogLikelihood(-10, false, 5), Metric.defaults(dev.loupe.eval.task.RequestType.LOGLIKELIHOOD_ROLLING));
        assertThat(a.words()).isEqualTo(3);
        assertThat(a.bytes()).isEqualTo(11);
        assertThat(b.words()).isEqualTo(2);
        assertThat(b.bytes()).isEqualTo(13);
        // Σll = -16 over 9 tokens, 5 words, 24 bytes.
        assertThat(agg(Metric.PERPLEXITY, a, b)).isCloseTo(Math.exp(16.0 / 9), within(1e-9));
        assertThat(agg(Metric.WORD_PERPLEXITY, a, b)).isCloseTo(Math.exp(16.0 / 5), within(1e-9));
        assertThat(agg(Metric.BYTE_PERPLEXITY, a, b)).isCloseTo(Math.exp(16.0 / 24), within(1e-9));
        assertThat(agg(Metric.BITS_PER_BYTE, a, b)).isCloseTo(16.0 / 24 / Math.log(2), within(1e-12));
    }

    @Test
    void wordsAreCountedLikePythonsReSplit() {
        // re.split(r"\s+", " a b\n") == ['', 'a', 'b', ''] -> 4
        assertThat(Scoring.rolling(" a b\n", ll(-1), List.of(Metric.WORD_PERPLEXITY)).words()).isEqualTo(4);
    }

    private static double agg(Metric m, Outcome... os) {
        List<Item> items = java.util.Arrays.stream(os).map(o -> o.metrics().get(m.id())).toList();
        return m.aggregate(items);
    }

    @Test
    void gsm8kStrictMatchThenLastNumberFallback() {
        Extractor e = Extractor.of(new TaskSpec.ExtractSpec("#### (\\-?[0-9\\.\\,]+)", null, null, "last_number"), "t");
        assertThat(e.apply("She pays 3 + 4 = 7.\n#### 1,234")).isEqualTo("1,234");
        assertThat(e.apply("I think 42 then 17.")).isEqualTo("17.");
        assertThat(e.apply("no digits")).isNull();
        Extractor strict = Extractor.of(new TaskSpec.ExtractSpec("#### (\\-?[0-9\\.\\,]+)", null, null, null), "t");
        assertThat(strict.apply("17")).isNull();
        assertThat(Extractor.of(new TaskSpec.ExtractSpec("(-?[0-9]+)", null, "last", null), "t").apply("1 then 22")).isEqualTo("22");
    }

    @Test
    void exactMatchComparesNormalizedAnswersAndNothingExtractedIsWrong() {
        Outcome.Generated hit = Scoring.generated("p", "out", "1,234.", "1234", "1234", "1234", List.of(Metric.EXACT_MATCH));
        assertThat(hit.metrics().get("exact_match").value()).isEqualTo(1.0);
        Outcome.Generated miss = Scoring.generated("p", "out", null, "5", null, "5", List.of(Metric.EXACT_MATCH));
        assertThat(miss.match()).isFalse();
        assertThat(Scoring.generated("p", "o", null, null, null, null, List.of()).metrics()).isEmpty();
    }
}
