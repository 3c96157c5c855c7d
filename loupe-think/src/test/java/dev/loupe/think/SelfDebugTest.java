package dev.loupe.think;

import dev.loupe.core.sample.SamplingParams;
import dev.loupe.sandbox.Language;
import dev.loupe.sandbox.Limits;
import dev.loupe.sandbox.Sandbox;
import dev.loupe.think.answer.AnswerExtractor;
import dev.loupe.think.strategy.Problem;
import dev.loupe.think.strategy.Sampling;
import dev.loupe.think.strategy.Scored;
import dev.loupe.think.strategy.SelfDebug;
import dev.loupe.think.strategy.ThinkContext;
import dev.loupe.think.strategy.Trace;
import dev.loupe.think.verify.UnitTests;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Self-debugging against real sandboxed runs: the model only fixes its bug when shown the failing test. */
class SelfDebugTest {
    static final String PROMPT = "def add(a, b):\n";

    /** Writes a - b, then a + b once the prompt carries the error, but only if the error names the assertion. */
    static final ScriptedModel MODEL = new ScriptedModel(prompt -> {
        if (prompt.contains("fails its tests") && prompt.contains("AssertionError")) return Map.of("    return a + b\n", 1.0);
        return Map.of("    return a - b\n", 1.0);
    }, (c, x) -> 0.0);

    @Test
    void fixesTheBugAfterSeeingTheFailingTest() {
        Problem p = new Problem("add", PROMPT, null, "assert add(2, 3) == 5, 'add(2, 3)'", Language.PYTHON);
        UnitTests tests = new UnitTests(Sandbox.create(), Limits.defaults());
        Trace trace = new Trace();
        Scored s = new SelfDebug(3, tests, SelfDebug.PYTHON_FEEDBACK).solve(p,
                new ThinkContext(new Sampling(MODEL, SamplingParams.defaults(), "\n", 0, 1), new AnswerExtractor.Whole(), trace));
        assertThat(s.answer()).isEqualTo("pass");
        assertThat(s.text()).isEqualTo("    return a + b\n");
        List<Map<String, Object>> attempts = trace.events().stream().filter(e -> e.get("event").equals("attempt")).toList();
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0)).containsEntry("passed", false);
        assertThat((String) attempts.get(0).get("error")).contains("AssertionError", "add(2, 3)");
        assertThat(attempts.get(1)).containsEntry("passed", true);
        // Graded independently: the chosen program passes the tests in the sandbox.
        assertThat(tests.run(p, s.text()).ok()).isTrue();
    }

    @Test
    void givesUpAfterItsAttemptsAndReportsATimeOut() {
        ScriptedModel looping = new ScriptedModel(prompt -> Map.of("    while True: pass\n", 1.0), (c, x) -> 0.0);
        Problem p = new Problem("loop", PROMPT, null, "assert add(2, 3) == 5", Language.PYTHON);
        UnitTests tests = new UnitTests(Sandbox.create(), Limits.defaults().withWallTime(java.time.Duration.ofSeconds(1)));
        Trace trace = new Trace();
        Scored s = new SelfDebug(2, tests, SelfDebug.PYTHON_FEEDBACK).solve(p,
                new ThinkContext(new Sampling(looping, SamplingParams.defaults(), "\n", 0, 1), new AnswerExtractor.Whole(), trace));
        assertThat(s.answer()).isEqualTo("fail");
        assertThat(trace.events().stream().filter(e -> e.get("event").equals("attempt"))).hasSize(2)
                .allSatisfy(e -> assertThat(e).containsEntry("timed_out", true));
    }
}
