package dev.loupe.eval;

import dev.loupe.core.lm.LanguageModel.LogLikelihood;
import dev.loupe.core.lm.LocalLanguageModel;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.eval.run.Evaluator;
import dev.loupe.eval.run.Outcome;
import dev.loupe.eval.run.RunResult;
import dev.loupe.eval.run.SampleRecord;
import dev.loupe.eval.task.Task;
import dev.loupe.eval.task.TaskLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One run of each request type on a real fixture model through {@link LocalLanguageModel}: every per-sample number
 * the harness records must equal a direct call on a second, fresh instance (made in a different order, so the
 * evaluating instance's prefix reuse is checked too). Random weights: the scores themselves mean nothing.
 */
class LocalModelEndToEndTest {
    static final Path MODEL = Path.of(System.getProperty("loupe.shared"), "fixtures/models/tiny-llama-f32.gguf");
    static LocalLanguageModel evaluated, direct;
    @TempDir
    static Path dir;

    @BeforeAll
    static void open() {
        evaluated = new LocalLanguageModel(MODEL, 2, 512);
        direct = new LocalLanguageModel(MODEL, 2, 512);
    }

    @AfterAll
    static void close() {
        evaluated.close();
        direct.close();
    }

    static Task task(String name, String yaml, String rows) throws IOException {
        Files.writeString(dir.resolve(name + ".jsonl"), rows);
        Files.writeString(dir.resolve(name + ".yaml"), "name: " + name + "\ndata: " + name + ".jsonl\n" + yaml);
        return TaskLoader.load(dir.resolve(name + ".yaml"), null);
    }

    static List<SampleRecord> run(Task t) {
        List<SampleRecord> out = new ArrayList<>();
        RunResult r = new Evaluator(evaluated, 1, 100).run(t, -1, out::add);
        assertThat(r.model()).isEqualTo("tiny-llama-f32.gguf");
        return out;
    }

    @Test
    void multipleChoiceLogLikelihoodsEqualDirectCalls() throws IOException {
        Task t = task("mc", """
                request: loglikelihood
                prompt: "Question: {{q}}\\nAnswer:"
                choices: c
                target: "{{g}}"
                fewshot: {k: 1}
                """, """
                {"q": "What is 2 + 2?", "c": ["4", "five", "22"], "g": 0}
                {"q": "Which is a colour?", "c": ["red", "table"], "g": 0}
                {"q": "Opposite of up?", "c": ["left", "down"], "g": 1}
                """);
        List<SampleRecord> samples = run(t);
        for (int i = samples.size() - 1; i >= 0; i--) {
            Outcome.Choice o = (Outcome.Choice) samples.get(i).outcome();
            assertThat(o.context()).isEqualTo(t.context(t.docs().get(i)));
            for (int c = o.choices().size() - 1; c >= 0; c--) {
                LogLikelihood d = direct.logLikelihood(o.context(), " " + o.choices().get(c));
                assertThat(o.logProbs().get(c)).isEqualTo(d.logProb());
                assertThat(o.greedy().get(c)).isEqualTo(d.greedy());
                assertThat(o.tokens().get(c)).isEqualTo(d.tokens());
            }
        }
    }

    @Test
    void rollingLogLikelihoodsEqualDirectCalls() throws IOException {
        Task t = task("ppl", "request: loglikelihood_rolling\nprompt: \"{{text}}\"\n", """
                {"text": "The river ran slowly past the mill."}
                {"text": "Snow came early that year."}
                """);
        List<SampleRecord> samples = run(t);
        for (int i = samples.size() - 1; i >= 0; i--) {
            Outcome.Rolling o = (Outcome.Rolling) samples.get(i).outcome();
            LogLikelihood d = direct.logLikelihood("", o.document());
            assertThat(o.logProb()).isEqualTo(d.logProb());
            assertThat(o.tokens()).isEqualTo(d.tokens());
            assertThat(o.metrics().get("bits_per_byte").weight()).isEqualTo(o.document().length());
        }
    }

    @Test
    void greedyGenerationsEqualDirectCalls() throws IOException {
        Task t = task("gen", """
                request: generate_until
                prompt: "Q: {{q}}\\nA:"
                target: "{{a}}"
                generation: {until: ["\\n"], max_tokens: 8}
                extract: {regex: "(-?[0-9]+)"}
                """, """
                {"q": "1 + 1", "a": "2"}
                {"q": "3 * 3", "a": "9"}
                """);
        List<SampleRecord> samples = run(t);
        for (SampleRecord s : samples) {
            Outcome.Generated o = (Outcome.Generated) s.outcome();
            String d = direct.complete(o.prompt(), SamplingParams.greedy().withMaxTokens(8).withStop(List.of("\n")), null).text();
            assertThat(o.output()).isEqualTo(d);
        }
    }
}
