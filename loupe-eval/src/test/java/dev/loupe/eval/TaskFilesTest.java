package dev.loupe.eval;

import dev.loupe.core.LoupeException;
import dev.loupe.eval.task.BuiltinTasks;
import dev.loupe.eval.task.Doc;
import dev.loupe.eval.task.Task;
import dev.loupe.eval.task.TaskLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Task files and data rows: what loads, and one clear error naming file and line for what does not. */
class TaskFilesTest {
    @TempDir
    Path dir;

    static final String MC = """
            name: mc
            data: rows.jsonl
            request: loglikelihood
            prompt: "Q: {{q}}\\nA:"
            choices: opts
            target: "{{gold}}"
            """;

    Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void loadsAYamlTaskAndBuildsContextsWithSeededFewShot() throws IOException {
        write("rows.jsonl", """
                {"q": "one", "opts": ["a", "b"], "gold": 0}
                {"q": "two", "opts": ["c", "d"], "gold": "d"}
                {"q": "three", "opts": ["e", "f"], "gold": 1}
                """);
        Task t = TaskLoader.load(write("t.yaml", MC + "fewshot: {k: 1, seed: 3, separator: \"\\n---\\n\"}\n"), null);
        assertThat(t.docs()).hasSize(3);
        assertThat(t.gold(t.docs().get(1))).isEqualTo(1);  // by choice text
        String ctx = t.context(t.docs().get(0));
        assertThat(ctx).endsWith("\n---\nQ: one\nA:");
        assertThat(ctx).matches("(?s)Q: (two\\nA: d|three\\nA: f)\\n---\\n.*");  // one example, never itself
        assertThat(t.context(t.docs().get(0))).isEqualTo(ctx);                  // same seed, same prompt
        assertThat(t.withFewshotK(0).context(t.docs().get(0))).isEqualTo("Q: one\nA:");
        assertThat(t.withFewshotK(2).context(t.docs().get(0)).split("\n---\n")).hasSize(3);
    }

    @Test
    void jsonTaskFilesWorkToo() throws IOException {
        write("rows.jsonl", "{\"text\": \"hello\"}\n");
        Task t = TaskLoader.load(write("t.json", "{\"name\": \"p\", \"data\": \"rows.jsonl\", \"request\": \"loglikelihood_rolling\", \"prompt\": \"{{text}}\"}"), null);
        assertThat(t.document(t.docs().getFirst())).isEqualTo("hello");
        assertThat(t.metrics()).hasSize(4);
    }

    @Test
    void unknownKeyIsNamedWithFileAndLine() throws IOException {
        Path f = write("t.yaml", MC + "promt: oops\n");
        assertThatThrownBy(() -> TaskLoader.load(f, null)).isInstanceOf(LoupeException.class)
                .hasMessageContaining(f + " line 7").hasMessageContaining("unknown key 'promt'");
    }

    @Test
    void brokenYamlNamesTheLine() throws IOException {
        Path f = write("t.yaml", "name: x\nrequest: [unclosed\n");
        assertThatThrownBy(() -> TaskLoader.load(f, null)).isInstanceOf(LoupeException.class).hasMessageContaining(f + " line");
    }

    @Test
    void badRequestTypeAndMissingFieldsAreClear() throws IOException {
        Path f = write("t.yaml", MC.replace("loglikelihood", "multiple_guess"));
        assertThatThrownBy(() -> TaskLoader.load(f, null)).isInstanceOf(LoupeException.class).hasMessageContaining(f + " line 3");
        Path g = write("g.yaml", MC.replace("choices: opts\n", ""));
        assertThatThrownBy(() -> TaskLoader.load(g, null)).hasMessageContaining(g + ": a loglikelihood task needs 'choices'");
        Path h = write("h.yaml", MC + "metrics: [exact_match]\n");
        assertThatThrownBy(() -> TaskLoader.load(h, null)).hasMessageContaining("metric 'exact_match' does not apply to request type loglikelihood");
        Path i = write("i.yaml", MC + "metrics: [accuracy]\n");
        assertThatThrownBy(() -> TaskLoader.load(i, null)).hasMessageContaining("unknown metric 'accuracy'");
    }

    @Test
    void badDataRowsNameFileAndLine() throws IOException {
        Path rows = write("rows.jsonl", "{\"q\": \"one\", \"opts\": [\"a\"], \"gold\": 0}\n\n{\"q\": broken}\n");
        Path f = write("t.yaml", MC);
        assertThatThrownBy(() -> TaskLoader.load(f, null)).isInstanceOf(LoupeException.class)
                .hasMessageStartingWith(rows + " line 3: not a JSON object");
    }

    @Test
    void rowsMissingAFieldOrWithABadTargetFailWhenUsedNamingTheirLine() throws IOException {
        Path rows = write("rows.jsonl", "{\"q\": \"one\", \"opts\": [\"a\", \"b\"], \"gold\": 5}\n{\"opts\": [\"a\"], \"gold\": 0}\n");
        Task t = TaskLoader.load(write("t.yaml", MC), null);
        Doc first = t.docs().get(0), second = t.docs().get(1);
        assertThatThrownBy(() -> t.gold(first)).isInstanceOf(LoupeException.class)
                .hasMessage(rows + " line 1: target '5' names none of the 2 choices");
        assertThatThrownBy(() -> t.context(second)).isInstanceOf(LoupeException.class)
                .hasMessage(rows + " line 2: no field 'q' in the row");
    }

    @Test
    void builtInsLoadOfflineAndLoadersAskForTheirData() {
        for (String n : BuiltinTasks.NAMES) assertThat(BuiltinTasks.spec(n).name()).isEqualTo(n);
        assertThat(BuiltinTasks.resolve("arithmetic", null).docs()).hasSize(50);
        assertThat(BuiltinTasks.resolve("facts_mc", null).gold(BuiltinTasks.resolve("facts_mc", null).docs().get(3))).isEqualTo(3);
        assertThatThrownBy(() -> BuiltinTasks.resolve("gsm8k", null)).isInstanceOf(LoupeException.class)
                .hasMessageContaining("task gsm8k needs a data file: pass --data FILE");
        assertThatThrownBy(() -> BuiltinTasks.resolve("nope", null)).hasMessageContaining("no built-in task or task file 'nope'");
    }

    @Test
    void builtInLoadersReadTheSharedPublicSets() {
        Path data = Path.of(System.getProperty("loupe.shared"), "data");
        Task gsm = BuiltinTasks.resolve("gsm8k", data.resolve("gsm8k/test.jsonl"));
        assertThat(gsm.docs()).hasSize(1319);
        assertThat(gsm.normalize(gsm.extractReference(gsm.reference(gsm.docs().getFirst())))).isEqualTo("18");
        assertThat(gsm.context(gsm.docs().getFirst())).contains("####").endsWith("Question: " + gsm.docs().getFirst().fields().get("question") + "\nAnswer:");
        Task he = BuiltinTasks.resolve("humaneval", data.resolve("humaneval/HumanEval.jsonl.gz"));
        assertThat(he.docs()).hasSize(164);
        assertThat(he.id(he.docs().getFirst())).isEqualTo("HumanEval/0");
        Task shakespeare = BuiltinTasks.resolve("text_ppl", data.resolve("tinyshakespeare/input.txt"));
        assertThat(shakespeare.document(shakespeare.docs().getFirst())).startsWith("First Citizen:\nBefore we proceed any further");
        assertThat(shakespeare.docs().get(1).line()).isGreaterThan(2);
        Task mt = BuiltinTasks.resolve("mt_bench", data.resolve("mt_bench/question.jsonl"));
        assertThat(mt.context(mt.docs().getFirst())).startsWith("Compose an engaging travel blog post");
    }
}
