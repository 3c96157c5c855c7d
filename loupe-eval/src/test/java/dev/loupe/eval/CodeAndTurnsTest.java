package dev.loupe.eval;

import dev.loupe.core.LoupeException;
import dev.loupe.eval.backend.CachingLanguageModel;
import dev.loupe.eval.backend.ResponseCache;
import dev.loupe.eval.exec.CodeRunner;
import dev.loupe.eval.run.Evaluator;
import dev.loupe.eval.run.Outcome;
import dev.loupe.eval.run.RunResult;
import dev.loupe.eval.run.SampleRecord;
import dev.loupe.eval.task.BuiltinTasks;
import dev.loupe.eval.task.Task;
import dev.loupe.eval.task.TaskLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * pass@k through the execution seam (a fake runner: no sandbox in this module) and multi-turn generation, where
 * the second turn's prompt holds the first question and answer.
 */
class CodeAndTurnsTest {
    static final Path DATA = Path.of(System.getProperty("loupe.shared"), "data");
    @TempDir
    Path dir;

    /** "Runs" a program: passes when the add function it defines really adds (the completion says "a + b"). */
    static final class FakeRunner implements CodeRunner {
        final List<String> programs = new ArrayList<>();

        @Override
        public Execution run(String language, String program, Duration timeout) {
            assertThat(language).isEqualTo("python");
            assertThat(timeout).isEqualTo(Duration.ofSeconds(3));
            programs.add(program);
            return program.contains("return a + b") ? new Execution(true, "") : new Execution(false, "AssertionError");
        }
    }

    Task codeTask(String metrics, int n) throws Exception {
        Files.writeString(dir.resolve("code.jsonl"), """
                {"task_id": "t/0", "prompt": "def add(a, b):\\n", "test": "def check(f):\\n    assert f(1, 2) == 3\\n", "entry_point": "add"}
                {"task_id": "t/1", "prompt": "def plus(a, b):\\n", "test": "def check(f):\\n    assert f(2, 2) == 4\\n", "entry_point": "plus"}
                """);
        Files.writeString(dir.resolve("code.yaml"), """
                name: code
                id: "{{task_id}}"
                data: code.jsonl
                request: generate_until
                prompt: "{{prompt}}"
                generation: {until: ["\\ndef"], max_tokens: 64, n: %d, temperature: 0.8, seed: 100}
                execute:
                  language: python
                  program: "{{prompt}}{{completion}}\\n{{test}}\\ncheck({{entry_point}})\\n"
                  timeout_seconds: 3
                metrics: %s
                """.formatted(n, metrics));
        return TaskLoader.load(dir.resolve("code.yaml"), null);
    }

    @Test
    void passAtKCountsPassingSamplesPerProblemWithTheUnbiasedEstimator() throws Exception {
        Task t = codeTask("[pass@1, pass@10]", 10);
        // Sample i is drawn with seed 100 + i. Problem t/0 (prompt "def add") passes for seeds divisible by 3
        // (100..109: 102, 105, 108, so c = 3); t/1 passes only for seed 109 (c = 1).
        FakeLanguageModel lm = FakeLanguageModel.sampling((p, s) -> {
            boolean right = p.startsWith("def add") ? s.seed() % 3 == 0 : s.seed() == 109;
            return right ? "    return a + b" : "    return a - b";
        });
        FakeRunner runner = new FakeRunner();
        List<SampleRecord> samples = new ArrayList<>();
        RunResult r = new Evaluator(lm, 1, 200, runner).run(t, -1, samples::add);

        assertThat(runner.programs).hasSize(20);
        assertThat(runner.programs.get(2)).isEqualTo("def add(a, b):\n    return a + b\ndef check(f):\n    assert f(1, 2) == 3\n\ncheck(add)\n");
        Outcome.Executed first = (Outcome.Executed) samples.get(0).outcome();
        assertThat(first.correct()).isEqualTo(3);
        assertThat(first.passed()).containsExactly(false, false, true, false, false, true, false, false, true, false);
        assertThat(first.details().get(0)).isEqualTo("AssertionError");
        assertThat(samples.get(1).id()).isEqualTo("t/1");
        // pass@1 = mean(c/n) = (0.3 + 0.1) / 2; pass@10 with n = 10: 1 if any passed, for both.
        assertThat(r.metrics().get(0).metric()).isEqualTo("pass@1");
        assertThat(r.metrics().get(0).value()).isCloseTo(0.2, within(1e-12));
        assertThat(r.metrics().get(1).value()).isEqualTo(1.0);
    }

    @Test
    void seededSamplesAreCachedSoAResumedRunRepeatsNoGeneration() throws Exception {
        Task t = codeTask("[pass@1]", 3);
        FakeLanguageModel lm = FakeLanguageModel.sampling((p, s) -> s.seed() == 101 ? "    return a + b" : "    return 0");
        try (ResponseCache c = new ResponseCache(dir.resolve("cache.jsonl"))) {
            new Evaluator(new CachingLanguageModel(lm, c), 1, 50, new FakeRunner()).run(t, -1, s -> {});
        }
        assertThat(lm.calls.get()).isEqualTo(6);
        List<String> again = new ArrayList<>();
        try (ResponseCache c = new ResponseCache(dir.resolve("cache.jsonl"))) {
            RunResult r = new Evaluator(new CachingLanguageModel(lm, c), 1, 50, new FakeRunner()).run(t, -1, s -> again.add(s.toString()));
            assertThat(r.metrics().get(0).value()).isCloseTo(1.0 / 3, within(1e-12));
        }
        assertThat(lm.calls.get()).isEqualTo(6);
        assertThat(again).hasSize(2);
    }

    @Test
    void aCodeTaskWithoutARunnerRefusesInsteadOfRunningCodeUnconfined() throws Exception {
        Task t = codeTask("[pass@1]", 1).withFewshotK(0);
        assertThatThrownBy(() -> new Evaluator(FakeLanguageModel.hashing(-1), 1, 10).run(t, -1, s -> {}))
                .isInstanceOf(LoupeException.class).hasMessageContaining("no sandbox");
    }

    @Test
    void badCodeAndSamplingSettingsNameFileAndLine() throws Exception {
        assertThatThrownBy(() -> codeTask("[pass@10]", 4)).isInstanceOf(LoupeException.class)
                .hasMessageContaining("code.yaml line 11: pass@10 needs at least 10 samples per problem; generation n is 4");
        Files.writeString(dir.resolve("greedy.yaml"), """
                name: g
                data: code.jsonl
                request: generate_until
                prompt: "{{prompt}}"
                generation: {n: 5}
                metrics: []
                """);
        assertThatThrownBy(() -> TaskLoader.load(dir.resolve("greedy.yaml"), null))
                .hasMessageContaining("greedy.yaml line 5: generation n=5 needs a temperature above 0");
        Files.writeString(dir.resolve("noexec.yaml"), """
                name: g
                data: code.jsonl
                request: generate_until
                prompt: "{{prompt}}"
                metrics: [pass@1]
                """);
        assertThatThrownBy(() -> TaskLoader.load(dir.resolve("noexec.yaml"), null))
                .hasMessageContaining("noexec.yaml line 5: pass@k needs an 'execute' section");
    }

    @Test
    void humanEvalLoaderBuildsHumanEvalsCheckProgram() {
        Task he = BuiltinTasks.resolve("humaneval", DATA.resolve("humaneval/HumanEval.jsonl.gz"));
        assertThat(he.docs()).hasSize(164);
        assertThat(he.metrics()).extracting(m -> m.id()).containsExactly("pass@1");
        var doc = he.docs().getFirst();
        String program = he.program(doc, "    return True\n");
        // human-eval execution.py: problem["prompt"] + completion + "\n" + problem["test"] + "\n" + f"check({entry_point})"
        assertThat(program).isEqualTo(doc.fields().get("prompt") + "    return True\n" + "\n" + doc.fields().get("test") + "\n"
                + "check(" + doc.fields().get("entry_point") + ")\n");
        assertThat(he.id(doc)).isEqualTo("HumanEval/0");
        assertThat(he.sampling(0).isGreedy()).isTrue();
    }

    @Test
    void mtBenchSecondTurnIsAskedWithTheFirstTurnAndItsAnswerInThePrompt() throws Exception {
        Task mt = BuiltinTasks.resolve("mt_bench", DATA.resolve("mt_bench/question.jsonl"));
        assertThat(mt.docs()).hasSize(80);
        List<String> prompts = new ArrayList<>();
        FakeLanguageModel lm = FakeLanguageModel.sampling((p, s) -> {
            prompts.add(p);
            return "ANSWER" + prompts.size();
        });
        List<SampleRecord> samples = new ArrayList<>();
        new Evaluator(lm, 1, 10).run(mt, 1, samples::add);
        String q1 = "Compose an engaging travel blog post about a recent trip to Hawaii, highlighting cultural experiences and must-see attractions.";
        String q2 = "Rewrite your previous response. Start every sentence with the letter A.";
        assertThat(prompts).containsExactly(q1 + "\n", q1 + "\nANSWER1\n\n" + q2 + "\n");
        Outcome.Conversation c = (Outcome.Conversation) samples.getFirst().outcome();
        assertThat(c.outputs()).containsExactly("ANSWER1", "ANSWER2");
        assertThat(samples.getFirst().id()).isEqualTo("81");
    }

    @Test
    void followUpsAreForJudgingOnly() throws Exception {
        Files.writeString(dir.resolve("rows.jsonl"), "{\"q\": [\"a\", \"b\"]}\n");
        Files.writeString(dir.resolve("t.yaml"), """
                name: t
                data: rows.jsonl
                request: generate_until
                prompt: "{{q.0}}"
                target: "x"
                follow_ups: ["{{q.1}}"]
                """);
        assertThatThrownBy(() -> TaskLoader.load(dir.resolve("t.yaml"), null))
                .hasMessageContaining("t.yaml line 6: a task with follow_ups is generated for judging");
    }
}
