package dev.loupe.data.synth;

import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.data.Document;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticDataTest {
    /** A deterministic model: for each prompt, sample i (seed base + i) is the i-th scripted completion. */
    record ScriptedModel(Map<String, List<String>> script, List<String> calls) implements LanguageModel {
        ScriptedModel(Map<String, List<String>> script) {
            this(script, new ArrayList<>());
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public LogLikelihood logLikelihood(String context, String continuation) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Completion complete(String prompt, SamplingParams params, Consumer<String> onText) {
            calls.add(prompt + "#" + params.seed());
            String text = script.get(prompt).get((int) params.seed() - 100);
            return new Completion(text, 1, 1, "stop");
        }
    }

    static final SamplingParams PARAMS = SamplingParams.defaults().withSeed(100).withMaxTokens(64);

    @Test
    void arithmeticEquationsAreEvaluated() {
        assertThat(Arithmetic.equations("so 12 + 30 = 42, and 7 * 6 = 41.")).extracting(Arithmetic.Equation::correct)
                .containsExactly(true, false);
        assertThat(Arithmetic.equations("(3 + 4) × 2 = 14")).singleElement().satisfies(e -> assertThat(e.correct()).isTrue());
        assertThat(Arithmetic.equations("1,200 / 4 = 300 apples")).singleElement().satisfies(e -> assertThat(e.correct()).isTrue());
        assertThat(Arithmetic.equations("10 / 3 = 3.33")).singleElement().satisfies(e -> assertThat(e.correct()).isTrue());
        assertThat(Arithmetic.equations("10 / 3 = 3.4")).singleElement().satisfies(e -> assertThat(e.correct()).isFalse());
        assertThat(Arithmetic.equations("10 / 3 = 3")).singleElement().satisfies(e -> assertThat(e.correct()).isFalse());
        assertThat(Arithmetic.equations("2 - 5 = -3 and 2 - -5 = 7")).extracting(Arithmetic.Equation::correct).containsExactly(true, true);
        assertThat(Arithmetic.equations("1 / 0 = 5")).isEmpty(); // does not evaluate: not counted as right or wrong
        assertThat(Arithmetic.equations("version 1.2.3 = latest; x = 5; 2026-11-27")).isEmpty();
        assertThat(Arithmetic.evaluate("2 + 3 * 4 - (6 / 4)")).isEqualByComparingTo(new BigDecimal("12.5"));
    }

    @Test
    void answersAreExtractedAndNormalized() {
        assertThat(Answers.extract("blah 3 then 4. #### 1,200")).isEqualTo("1200");
        assertThat(Answers.extract("The answer is 42.0 because 6 * 7")).isEqualTo("42");
        assertThat(Answers.extract("we get 5 and then 17 apples")).isEqualTo("17");
        assertThat(Answers.extract("Answer: Paris.")).isEqualTo("paris");
        assertThat(Answers.extract("no idea")).isNull();
    }

    @Test
    void selfConsistencyKeepsMajoritiesAboveTheThreshold() {
        ScriptedModel lm = new ScriptedModel(Map.of(
                "A:", List.of(" it is 42", " so 42", " maybe 41", " Answer: 42", " 40"),      // 3/5 agree
                "B:", List.of(" 1", " 2", " 1", " 4", " 5"),                                  // 2/5
                "C:", List.of(" 7", " 7", " 8", " 8", " nothing")));                           // tie
        SyntheticData.Result r = SyntheticData.generate(List.of("A:", "B:", "C:"), lm,
                new SyntheticData.Options(5, PARAMS, false, 0.6));
        assertThat(r.kept()).singleElement().satisfies(d -> {
            assertThat(d.text()).isEqualTo("A: it is 42");
            assertThat(d.metadata()).containsEntry("answer", "42").containsEntry("agreement", 0.6).containsEntry("prompt", "A:");
        });
        assertThat(r.stats().getCounters()).containsEntry("prompts", 3L).containsEntry("samples", 15L).containsEntry("kept", 1L)
                .containsEntry("dropped:low_agreement", 1L).containsEntry("dropped:tied_vote", 1L);
        assertThat(lm.calls()).startsWith("A:#100", "A:#101", "A:#102", "A:#103", "A:#104", "B:#100");
        // The same prompts at a lower bar: B's 2/5 now passes; the tie still loses.
        assertThat(SyntheticData.generate(List.of("A:", "B:", "C:"), lm, new SyntheticData.Options(5, PARAMS, false, 0.4)).kept())
                .extracting(Document::text).containsExactly("A: it is 42", "B: 1");
    }

    @Test
    void arithmeticCheckRemovesWrongSamplesBeforeTheVote() {
        ScriptedModel lm = new ScriptedModel(Map.of(
                "Q: 6 times 7?", List.of(" 6 * 7 = 41. Answer: 41", " 6 * 7 = 42. Answer: 42", " 6*7 = 43, answer is 43",
                        " I think the answer is 42", " 6 * 7 = 42 so the answer is 42"),
                "Q: 9 plus 9?", List.of(" 9 + 9 = 19. Answer: 19", " 9 + 9 = 17. Answer: 17", " answer is 18",
                        " 18", " 9 + 9 = 81. Answer: 81")));
        SyntheticData.Result r = SyntheticData.generate(List.of("Q: 6 times 7?", "Q: 9 plus 9?"), lm,
                new SyntheticData.Options(5, PARAMS, true, 0.4));
        // 6×7: samples 1 and 4 survive the check (the others are wrong or state no equation): 2/5 = 0.4 agree on 42.
        assertThat(r.kept()).singleElement().satisfies(d -> {
            assertThat(d.text()).isEqualTo("Q: 6 times 7? 6 * 7 = 42. Answer: 42");
            assertThat(d.metadata()).containsEntry("answer", "42").containsEntry("agreement", 0.4);
        });
        // 9+9: every sample with an equation is wrong; the two right answers state none, so nothing survives.
        assertThat(r.stats().getCounters()).containsEntry("samples_rejected:wrong_arithmetic", 5L)
                .containsEntry("samples_rejected:no_equation", 3L).containsEntry("dropped:no_valid_sample", 1L);
        // Without a vote, the arithmetic check alone keeps the first valid sample.
        assertThat(SyntheticData.generate(List.of("Q: 6 times 7?"), lm, new SyntheticData.Options(5, PARAMS, true, null)).kept())
                .extracting(Document::text).containsExactly("Q: 6 times 7? 6 * 7 = 42. Answer: 42");
    }
}
