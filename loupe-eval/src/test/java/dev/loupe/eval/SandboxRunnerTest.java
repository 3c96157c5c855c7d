package dev.loupe.eval;

import dev.loupe.eval.exec.CodeRunner.Execution;
import dev.loupe.eval.exec.SandboxRunner;
import dev.loupe.eval.task.BuiltinTasks;
import dev.loupe.eval.task.Doc;
import dev.loupe.eval.task.Task;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HumanEval's own check programs through loupe-sandbox: the canonical solutions pass (the data set's known answer),
 * a wrong body fails with the assert named, a runaway one is killed at the time limit.
 */
class SandboxRunnerTest {
    @Test
    void canonicalSolutionsPassAndWrongOrRunawayOnesFail() {
        Task he = BuiltinTasks.resolve("humaneval", Path.of(System.getProperty("loupe.shared"), "data/humaneval/HumanEval.jsonl.gz"));
        SandboxRunner runner = SandboxRunner.create();
        Duration limit = Duration.ofSeconds(10);
        for (int i : new int[] {0, 2, 53}) {
            Doc doc = he.docs().get(i);
            Execution e = runner.run("python", he.program(doc, (String) doc.fields().get("canonical_solution")), limit);
            assertThat(e.passed()).as("%s: %s", he.id(doc), e.detail()).isTrue();
        }
        Doc first = he.docs().getFirst();
        Execution wrong = runner.run("python", he.program(first, "    return False\n"), limit);
        assertThat(wrong.passed()).isFalse();
        assertThat(wrong.detail()).contains("AssertionError");
        Execution runaway = runner.run("python", he.program(first, "    while True:\n        pass\n"), Duration.ofSeconds(2));
        assertThat(runaway.passed()).isFalse();
        assertThat(runaway.detail()).startsWith("timed out");
    }
}
