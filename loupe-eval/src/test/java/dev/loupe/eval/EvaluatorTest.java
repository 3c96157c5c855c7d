package dev.loupe.eval;

import dev.loupe.eval.backend.CachingLanguageModel;
import dev.loupe.eval.backend.ResponseCache;
import dev.loupe.eval.run.Evaluator;
import dev.loupe.eval.run.Outcome;
import dev.loupe.eval.run.RunFiles;
import dev.loupe.eval.run.RunResult;
import dev.loupe.eval.run.SampleRecord;
import dev.loupe.eval.task.BuiltinTasks;
import dev.loupe.eval.task.Task;
import dev.loupe.eval.task.TaskLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Whole runs on the fake model: hand-checked aggregates, files, and resumption from the response cache. */
class EvaluatorTest {
    @TempDir
    Path dir;

    @Test
    void multipleChoiceRunAggregatesHandComputedScores() throws Exception {
        Files.writeString(dir.resolve("rows.jsonl"), """
                {"q": "1", "opts": ["yes", "no"], "gold": 0}
                {"q": "2", "opts": ["up", "down"], "gold": 1}
                {"q": "3", "opts": ["hot", "cold"], "gold": 1}
                """);
        Files.writeString(dir.resolve("t.yaml"), TaskFilesTest.MC);
        Task t = TaskLoader.load(dir.resolve("t.yaml"), null);
        // Row 1: yes wins (acc 1, norm -2/3 vs -2.5/2: yes, 1). Row 2: up wins raw (acc 0); norm -1/2=-.5 vs -1.6/4=-.4: down (1).
        // Row 3: cold wins both (1, 1). acc = 2/3, acc_norm = 1.
        FakeLanguageModel lm = FakeLanguageModel.table(Map.of(" yes", -2.0, " no", -2.5, " up", -1.0, " down", -1.6, " hot", -5.0, " cold", -1.0));
        List<SampleRecord> samples = new ArrayList<>();
        RunResult r = new Evaluator(lm, 1, 200).run(t, -1, samples::add);
        assertThat(r.metrics().get(0).value()).isEqualTo(2.0 / 3);
        assertThat(r.metrics().get(1).value()).isEqualTo(1.0);
        assertThat(samples).hasSize(3);
        assertThat(((Outcome.Choice) samples.get(1).outcome()).logProbs()).containsExactly(-1.0, -1.6);
        assertThat(samples.get(1).line()).isEqualTo(2);
    }

    @Test
    void generationRunExtractsAndNormalizesAsGsm8k() throws Exception {
        Files.writeString(dir.resolve("rows.jsonl"), """
                {"question": "a", "answer": "work\\n#### 1,000"}
                {"question": "b", "answer": "work\\n#### 7"}
                {"question": "c", "answer": "work\\n#### 3"}
                """);
        String spec = new String(BuiltinTasks.class.getResourceAsStream("/dev/loupe/eval/tasks/gsm8k.yaml").readAllBytes())
                .replace("fewshot: {k: 5", "fewshot: {k: 0");
        Files.writeString(dir.resolve("g.yaml"), spec.replace("data_help:", "data: rows.jsonl\ndata_help:"));
        Task t = TaskLoader.load(dir.resolve("g.yaml"), null);
        Map<String, String> outputs = Map.of("a", " so $1000. #### $1,000", "b", " It is 6, no wait 7.", "c", " I give up");
        FakeLanguageModel lm = new FakeLanguageModel("g", (c, x) -> null, p -> outputs.get(p.substring(10, 11)), -1);
        RunResult r = new Evaluator(lm, 1, 100).run(t, -1, s -> {});
        assertThat(r.metrics().getFirst().value()).isEqualTo(2.0 / 3);  // strict hit, fallback hit, nothing
    }

    @Test
    void interruptedRunResumesFromTheCacheWithoutRepeatingCalls() throws Exception {
        Task t = BuiltinTasks.resolve("arithmetic_mc", null);
        int rows = 12, perRow = 4;
        // Reference: an uninterrupted, uncached run.
        List<String> expected = new ArrayList<>();
        RunResult ref = new Evaluator(FakeLanguageModel.hashing(-1), 5, 200).run(t, rows, s -> expected.add(s.toString()));

        Path cache = dir.resolve("cache.jsonl");
        FakeLanguageModel dying = FakeLanguageModel.hashing(17);  // dies inside row 5, after 4 whole rows + 1 call
        try (ResponseCache c = new ResponseCache(cache)) {
            assertThatThrownBy(() -> new Evaluator(new CachingLanguageModel(dying, c), 5, 200).run(t, rows, s -> {}))
                    .hasMessageContaining("injected failure");
        }
        // A torn line, as if the kill landed mid-write, must not break the resume.
        Files.writeString(cache, "{\"key\":\"abc", java.nio.file.StandardOpenOption.APPEND);

        FakeLanguageModel fresh = FakeLanguageModel.hashing(-1);
        List<String> resumed = new ArrayList<>();
        RunResult r;
        CachingLanguageModel resuming;
        try (ResponseCache c = new ResponseCache(cache)) {
            assertThat(c.size()).isEqualTo(16);  // every finished row's answers, no partial batch
            assertThat(c.tornLines()).isEqualTo(1);
            resuming = new CachingLanguageModel(fresh, c);
            r = new Evaluator(resuming, 5, 200).run(t, rows, s -> resumed.add(s.toString()));
        }
        assertThat(fresh.calls.get()).isEqualTo(rows * perRow - 16);
        // The counters the CLI reports agree with the backend's own call count.
        assertThat(resuming.reused()).isEqualTo(16);
        assertThat(resuming.computed()).isEqualTo(fresh.calls.get());
        assertThat(resumed).isEqualTo(expected);
        assertThat(r.metrics()).isEqualTo(ref.metrics());

        // A third run is answered entirely from the cache.
        FakeLanguageModel idle = FakeLanguageModel.hashing(0);
        try (ResponseCache c = new ResponseCache(cache)) {
            new Evaluator(new CachingLanguageModel(idle, c), 5, 200).run(t, rows, s -> {});
        }
        assertThat(idle.calls.get()).isZero();
    }

    @Test
    void runFilesRoundTrip() {
        Task t = BuiltinTasks.resolve("facts_mc", null);
        RunResult r;
        try (RunFiles.SampleWriter w = new RunFiles.SampleWriter(dir.resolve("run"))) {
            r = new Evaluator(FakeLanguageModel.hashing(-1), 1, 100).run(t, 5, w);
        }
        RunFiles.writeResult(dir.resolve("run"), r);
        assertThat(RunFiles.readResult(dir.resolve("run"))).isEqualTo(r);
        assertThat(dir.resolve("run/samples.jsonl")).content().hasLineCount(5);
    }
}
