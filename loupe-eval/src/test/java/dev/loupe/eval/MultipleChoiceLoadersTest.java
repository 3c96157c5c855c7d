package dev.loupe.eval;

import dev.loupe.eval.run.Evaluator;
import dev.loupe.eval.run.Outcome;
import dev.loupe.eval.run.RunResult;
import dev.loupe.eval.run.SampleRecord;
import dev.loupe.eval.task.BuiltinTasks;
import dev.loupe.eval.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ARC and HellaSwag loaders on rows in the public sets' field layout (as published on the Hugging Face hub,
 * which lm-evaluation-harness reads; the sets are not in ../shared/data), scored by hand.
 */
class MultipleChoiceLoadersTest {
    @TempDir
    Path dir;

    @Test
    void arcRowsWithLetterOrNumberLabels() throws Exception {
        Files.writeString(dir.resolve("arc.jsonl"), """
                {"id": "Mercury_1", "question": "Which gas do plants take in?", "choices": {"text": ["oxygen", "carbon dioxide", "helium", "neon"], "label": ["A", "B", "C", "D"]}, "answerKey": "B"}
                {"id": "NYSEDREGENTS_2", "question": "What melts ice?", "choices": {"text": ["heat", "cold", "dark"], "label": ["1", "2", "3"]}, "answerKey": "1"}
                """);
        Task arc = BuiltinTasks.resolve("arc", dir.resolve("arc.jsonl"));
        assertThat(arc.context(arc.docs().getFirst())).isEqualTo("Question: Which gas do plants take in?\nAnswer:");
        assertThat(arc.gold(arc.docs().get(0))).isEqualTo(1);
        assertThat(arc.gold(arc.docs().get(1))).isEqualTo(0);  // label "1" is the first choice, not index 1
        // Row 1: " oxygen" has the best raw ll (-3 > -4.2), but per character " carbon dioxide" wins
        // (-4.2/14 = -0.3 vs -3/6 = -0.5): acc 0, acc_norm 1. Row 2: " heat" best both ways: 1, 1.
        FakeLanguageModel lm = FakeLanguageModel.table(Map.of(" oxygen", -3.0, " carbon dioxide", -4.2, " helium", -9.0, " neon", -9.0,
                " heat", -1.0, " cold", -2.0, " dark", -3.0));
        List<SampleRecord> s = new ArrayList<>();
        RunResult r = new Evaluator(lm, 1, 100).run(arc, -1, s::add);
        assertThat(((Outcome.Choice) s.getFirst().outcome()).pred()).isZero();
        assertThat(((Outcome.Choice) s.getFirst().outcome()).predNorm()).isEqualTo(1);
        assertThat(r.metrics()).extracting(e -> e.metric() + "=" + e.value()).containsExactly("acc=0.5", "acc_norm=1.0");
    }

    @Test
    void hellaswagRowsWithTheirStringLabel() throws Exception {
        Files.writeString(dir.resolve("hs.jsonl"), """
                {"ind": 24, "activity_label": "Roof shingle removal", "ctx_a": "A man is sitting on a roof.", "ctx_b": "he", "ctx": "A man is sitting on a roof. he", "endings": ["is using wrap to wrap a pair of skis.", "is ripping level tiles off.", "starts pulling up roofing on a roof."], "label": "2"}
                """);
        Task hs = BuiltinTasks.resolve("hellaswag", dir.resolve("hs.jsonl"));
        assertThat(hs.context(hs.docs().getFirst())).isEqualTo("Roof shingle removal: A man is sitting on a roof. He");
        assertThat(hs.gold(hs.docs().getFirst())).isEqualTo(2);
        FakeLanguageModel lm = FakeLanguageModel.table(Map.of(" is using wrap to wrap a pair of skis.", -10.0,
                " is ripping level tiles off.", -9.0, " starts pulling up roofing on a roof.", -9.5));
        RunResult r = new Evaluator(lm, 1, 100).run(hs, -1, x -> {});
        // raw: ending 1 (-9.0) wins, wrong; per char: -10/37, -9/27 = -0.333, -9.5/36 = -0.264: ending 2, right.
        assertThat(r.metrics()).extracting(e -> e.metric() + "=" + e.value()).containsExactly("acc=0.0", "acc_norm=1.0");
    }

    @Test
    void hellaswagMarkupIsCleanedAsTheHarnessPreprocessDoes() throws Exception {
        // Expected strings printed by lm_eval/tasks/hellaswag/utils.py's preprocess and process_docs on this row.
        Files.writeString(dir.resolve("wikihow.jsonl"), """
                {"activity_label": "Home and Garden", "ctx_a": "[header] How to clean a grill [title] Heat the grill.", "ctx_b": "THEN you", "endings": ["[step] scrub the grates [title] Use a brush.", "eat it."], "label": 0}
                """);
        Task hs = BuiltinTasks.resolve("hellaswag", dir.resolve("wikihow.jsonl"));
        var doc = hs.docs().getFirst();
        assertThat(hs.context(doc)).isEqualTo("Home and Garden: How to clean a grill. Heat the grill. Then you");
        assertThat(hs.choices(doc)).containsExactly(" scrub the grates. Use a brush.", "eat it.");
        assertThat(hs.gold(doc)).isZero();
        assertThat(doc.line()).isEqualTo(1);
        Files.writeString(dir.resolve("t.yaml"), "name: t\ndata: wikihow.jsonl\nrequest: loglikelihood\nprocess_docs: hellaswagg\n"
                + "prompt: x\nchoices: endings\ntarget: '0'\n");
        assertThatThrownBy(() -> dev.loupe.eval.task.TaskLoader.load(dir.resolve("t.yaml"), null))
                .hasMessage(dir.resolve("t.yaml") + " line 4: unknown process_docs 'hellaswagg' (known: hellaswag)");
    }

    @Test
    void aRowMissingTheLayoutsFieldsNamesItsLine() throws Exception {
        Files.writeString(dir.resolve("bad.jsonl"), """
                {"question": "ok?", "choices": {"text": ["a"], "label": ["A"]}, "answerKey": "A"}
                {"question": "no choices", "answerKey": "A"}
                """);
        Task arc = BuiltinTasks.resolve("arc", dir.resolve("bad.jsonl"));
        assertThatThrownBy(() -> new Evaluator(FakeLanguageModel.hashing(-1), 1, 10).run(arc, -1, x -> {}))
                .hasMessage(dir.resolve("bad.jsonl") + " line 2: no field 'choices.text' in the row");
    }
}
