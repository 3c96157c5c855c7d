package dev.loupe.eval;

import dev.loupe.eval.judge.Answer;
import dev.loupe.eval.judge.Judge;
import dev.loupe.eval.judge.JudgePrompt;
import dev.loupe.eval.judge.JudgeReport;
import dev.loupe.eval.judge.PairwiseComparison;
import dev.loupe.eval.judge.SingleGrading;
import dev.loupe.eval.judge.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LLM-as-judge with planted judges whose biases are known, on MT-Bench's real judge prompts. */
class JudgeTest {
    static final Map<String, JudgePrompt> PROMPTS = JudgePrompt.load(Path.of(System.getProperty("loupe.shared"), "data/mt_bench/judge_prompts.jsonl"));
    static final Pattern A = Pattern.compile("\\[The Start of Assistant A's Answer\\]\\n(.*?)\\n\\[The End", Pattern.DOTALL);
    static final Pattern B = Pattern.compile("\\[The Start of Assistant B's Answer\\]\\n(.*?)\\n\\[The End", Pattern.DOTALL);

    static String shown(Pattern p, String prompt) {
        Matcher m = p.matcher(prompt);
        return m.find() ? m.group(1) : "";
    }

    static List<Answer> answers(String model, String... texts) {
        List<Answer> out = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) out.add(new Answer(String.valueOf(i), "Q" + i + "?", texts[i], model, null));
        return out;
    }

    static Judge judge(String name, java.util.function.Function<String, String> verdict) {
        return new Judge(new FakeLanguageModel(name, (c, x) -> null, verdict, -1), 64);
    }

    @Test
    void aJudgeThatAlwaysPrefersTheFirstAnswerEndsWithTiesNotWins() {
        Judge firstLover = judge("j", p -> "Assistant A is clearly better. [[A]]");
        var pairs = PairwiseComparison.compare(firstLover, PROMPTS.get("pair-v2"), answers("x", "a1", "a2", "a3"), answers("y", "b1", "b2", "b3"));
        assertThat(pairs).hasSize(3).allSatisfy(p -> assertThat(p.winner()).isEqualTo(PairwiseComparison.Winner.TIE));
        var s = JudgeReport.summarize(pairs, "j", "x", "y");
        assertThat(s.winsA() + s.winsB()).isZero();
        assertThat(s.ties()).isEqualTo(3);
        assertThat(s.unparsed()).isZero();
        assertThat(pairs.getFirst().judgmentSwapped()).contains("[[A]]");
    }

    @Test
    void unparsableVerdictsAreTiesAndCounted() {
        var pairs = PairwiseComparison.compare(judge("j", p -> "hmm"), PROMPTS.get("pair-v2"), answers("x", "a"), answers("y", "b"));
        var s = JudgeReport.summarize(pairs, "j", "x", "y");
        assertThat(s.ties()).isEqualTo(1);
        assertThat(s.unparsed()).isEqualTo(2);
        assertThat(JudgeReport.render(s)).contains("2 of 2 judgments had no [[A]]/[[B]]/[[C]] verdict");
    }

    @Test
    void aConsistentJudgeProducesWinsAndTheLengthBiasTableSeesItPreferLength() {
        // Prefers the longer answer in whichever position it is shown.
        Judge lengthLover = judge("j", p -> shown(A, p).length() >= shown(B, p).length() ? "[[A]]" : "[[B]]");
        List<Answer> a = answers("x", "short", "a much longer answer than the other one", "x".repeat(300));
        List<Answer> b = answers("y", "a longer answer", "brief", "y");
        a.set(0, new Answer("0", "Q0?", "short", "x", "model_b"));
        var pairs = PairwiseComparison.compare(lengthLover, PROMPTS.get("pair-v2"), a, b);
        assertThat(pairs.stream().map(PairwiseComparison.Pair::winner))
                .containsExactly(PairwiseComparison.Winner.B, PairwiseComparison.Winner.A, PairwiseComparison.Winner.A);
        var s = JudgeReport.summarize(pairs, "j", "x", "y");
        assertThat(s.lengthBias().get(0).decided()).isEqualTo(2);        // gaps 10 and 33 chars
        assertThat(s.lengthBias().get(0).longerWinRate()).isEqualTo(1.0);
        assertThat(s.lengthBias().get(2).decided()).isEqualTo(1);        // gap 299
        assertThat(s.agreement()).isEqualTo(1.0);
        assertThat(s.labelled()).isEqualTo(1);
        assertThat(s.warning()).isNull();
        assertThat(JudgeReport.render(s)).contains("A wins 2, B wins 1, ties 0");
    }

    @Test
    void mathPromptsGetTheReferenceAnswerByIdAndMissingOnesAreNamed() {
        Map<String, List<String>> refs = dev.loupe.eval.judge.References.load(Path.of(System.getProperty("loupe.shared"), "data/mt_bench/reference_answer_gpt-4.jsonl"));
        assertThat(refs.get("101").get(0)).startsWith("If you have just overtaken the second person");
        List<String> seen = new ArrayList<>();
        Judge j = new Judge(new FakeLanguageModel("j", (c, x) -> null, p -> { seen.add(p); return "[[5]]"; }, -1), 8, refs);
        List<Answer> a = List.of(new Answer("101", "Q?", "second", "x", null));
        SingleGrading.grade(j, PROMPTS.get("single-math-v1"), a);
        assertThat(seen.getFirst()).contains("If you have just overtaken the second person");
        List<Answer> unknown = List.of(new Answer("nope", "Q?", "A", "x", null));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SingleGrading.grade(j, PROMPTS.get("single-math-v1"), unknown))
                .hasMessageContaining("needs a reference answer for 'nope'");
    }

    @Test
    void selfPreferenceIsFlaggedWhenTheJudgeIsACandidate() {
        var s = JudgeReport.summarize(List.of(), "same.gguf", "same.gguf", "other");
        assertThat(s.warning()).contains("self-preference");
    }

    @Test
    void singleGradingParsesFastChatRatings() {
        assertThat(Verdict.rating("Good. Rating: [[7]]")).isEqualTo(7.0);
        assertThat(Verdict.rating("Rating: [8.5]")).isEqualTo(8.5);
        assertThat(Verdict.rating("no idea")).isNaN();
        Judge j = judge("j", p -> p.contains("ANSWER-ONE") ? "[[9]]" : "meh");
        var s = SingleGrading.grade(j, PROMPTS.get("single-v1"), answers("x", "ANSWER-ONE", "other"));
        assertThat(s.meanRating()).isEqualTo(9.0);
        assertThat(s.unparsed()).isEqualTo(1);
        assertThat(PROMPTS.get("single-v1").render(Map.of("question", "Q", "answer", "ANSWER")))
                .startsWith(PROMPTS.get("single-v1").systemPrompt()).contains("[Question]\nQ").contains("ANSWER");
    }

    static List<Answer> twoTurns(String model, String... firstAndSecond) {
        List<Answer> out = new ArrayList<>();
        for (int i = 0; i < firstAndSecond.length; i += 2) {
            out.add(new Answer(String.valueOf(i / 2), "Q" + i + "?", firstAndSecond[i], model, null, "Follow-up " + i + "?", firstAndSecond[i + 1]));
        }
        return out;
    }

    @Test
    void secondTurnGradingShowsTheFirstTurnAndAsksAboutTheSecond() {
        List<String> seen = new ArrayList<>();
        Judge j = new Judge(new FakeLanguageModel("j", (c, x) -> null, p -> { seen.add(p); return "[[6]]"; }, -1), 8);
        var s = SingleGrading.grade(j, PROMPTS.get("single-v1-multi-turn"), twoTurns("x", "FIRST-ANSWER", "SECOND-ANSWER"));
        assertThat(s.meanRating()).isEqualTo(6.0);
        assertThat(seen.getFirst()).contains("### User:\nQ0?\n\n### Assistant A:\nFIRST-ANSWER\n\n### User:\nFollow-up 0?\n\n### Assistant A:\nSECOND-ANSWER")
                .contains("second user question");
        assertThatThrownBy(() -> SingleGrading.grade(j, PROMPTS.get("single-v1-multi-turn"), answers("x", "only one turn")))
                .hasMessageContaining("grades the second turn, but answer '0' has none");
    }

    @Test
    void secondTurnPairwiseSwapsBothTurnsAndAFirstPositionJudgeStillTies() {
        List<String> seen = new ArrayList<>();
        Judge firstLover = new Judge(new FakeLanguageModel("j", (c, x) -> null, p -> { seen.add(p); return "[[A]]"; }, -1), 8);
        var pairs = PairwiseComparison.compare(firstLover, PROMPTS.get("pair-v2-multi-turn"),
                twoTurns("x", "a1", "a2", "c1", "c2"), twoTurns("y", "b1", "b2", "d1", "d2"));
        assertThat(pairs).hasSize(2).allSatisfy(p -> assertThat(p.winner()).isEqualTo(PairwiseComparison.Winner.TIE));
        assertThat(seen.get(0)).contains("### Assistant A:\na1").contains("### Assistant A:\na2").contains("### Assistant B:\nb2");
        assertThat(seen.get(1)).contains("### Assistant A:\nb1").contains("### Assistant A:\nb2").contains("### Assistant B:\na2");
        // A judge that reads the second turns and prefers the answer "c2"/"b2" in either position wins consistently.
        Judge secondTurnReader = judge("k", p -> p.contains("### Assistant A:\nb2") || p.contains("### Assistant A:\nc2") ? "[[A]]" : "[[B]]");
        var decided = PairwiseComparison.compare(secondTurnReader, PROMPTS.get("pair-v2-multi-turn"),
                twoTurns("x", "a1", "a2", "c1", "c2"), twoTurns("y", "b1", "b2", "d1", "d2"));
        assertThat(decided).extracting(PairwiseComparison.Pair::winner).containsExactly(PairwiseComparison.Winner.B, PairwiseComparison.Winner.A);
    }

    @Test
    void secondTurnMathPromptGetsBothReferenceTurns() {
        Map<String, List<String>> refs = dev.loupe.eval.judge.References.load(Path.of(System.getProperty("loupe.shared"), "data/mt_bench/reference_answer_gpt-4.jsonl"));
        List<String> seen = new ArrayList<>();
        Judge j = new Judge(new FakeLanguageModel("j", (c, x) -> null, p -> { seen.add(p); return "[[5]]"; }, -1), 8, refs);
        SingleGrading.grade(j, PROMPTS.get("single-math-v1-multi-turn"), List.of(new Answer("101", "Q?", "second", "x", null, "Q2?", "third")));
        assertThat(seen.getFirst()).contains(refs.get("101").get(0)).contains(refs.get("101").get(1));
    }

    @Test
    void aMultiTurnRunFolderIsReadWithBothTurns(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("q.jsonl"), "{\"question_id\": 7, \"turns\": [\"First?\", \"Second?\"]}\n");
        var task = dev.loupe.eval.task.BuiltinTasks.resolve("mt_bench", dir.resolve("q.jsonl"));
        FakeLanguageModel lm = new FakeLanguageModel("m", (c, x) -> null, p -> p.contains("Second?") ? " two " : " one ", -1);
        dev.loupe.eval.run.RunResult r;
        try (var w = new dev.loupe.eval.run.RunFiles.SampleWriter(dir.resolve("run"))) {
            r = new dev.loupe.eval.run.Evaluator(lm, 1, 10).run(task, -1, w);
        }
        dev.loupe.eval.run.RunFiles.writeResult(dir.resolve("run"), r);
        List<Answer> a = dev.loupe.eval.judge.AnswerFiles.read(dir.resolve("run"));
        assertThat(a).containsExactly(new Answer("7", "First?", "one", "m", null, "Second?", "two"));
    }
}
