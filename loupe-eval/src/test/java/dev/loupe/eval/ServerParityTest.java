package dev.loupe.eval;

import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.lm.LocalLanguageModel;
import dev.loupe.eval.backend.HttpPolicy;
import dev.loupe.eval.backend.OpenAiLanguageModel;
import dev.loupe.eval.run.Evaluator;
import dev.loupe.eval.run.RunResult;
import dev.loupe.eval.run.SampleRecord;
import dev.loupe.eval.task.Task;
import dev.loupe.eval.task.TaskLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same task in process and through the OpenAI-compatible HTTP path gives exactly the same per-sample
 * log-likelihoods, greedy flags, token counts and greedy generations. The server is {@link OpenAiShim} over the same
 * engine until loupe-serve lands; then this test should start loupe-serve on 127.0.0.1:0 instead (see README).
 */
class ServerParityTest {
    static final Path MODEL = Path.of(System.getProperty("loupe.shared"), "fixtures/models/tiny-llama-f32.gguf");
    @TempDir
    Path dir;

    List<String> run(LanguageModel lm, Task t) {
        List<String> out = new ArrayList<>();
        RunResult r = new Evaluator(lm, 1, 100).run(t, -1, (SampleRecord s) -> out.add(s.outcome().toString()));
        out.add(r.metrics().toString());
        return out;
    }

    @Test
    void inProcessAndOverHttpAgreeExactly() throws Exception {
        try (LocalLanguageModel served = new LocalLanguageModel(MODEL, 2, 512);
             OpenAiShim shim = new OpenAiShim(served)) {
            assertParity(OpenAiLanguageModel.connect(shim.baseUrl(), "tiny-llama-f32.gguf", false, null, HttpPolicy.defaults()));
        }
    }

    void assertParity(OpenAiLanguageModel remote) throws Exception {
        Files.writeString(dir.resolve("mc.jsonl"), """
                {"q": "What is 2 + 2?", "c": ["4", "five"], "g": 0}
                {"q": "Which is a colour?", "c": ["red", "table", "ran"], "g": 0}
                """);
        Files.writeString(dir.resolve("mc.yaml"), """
                name: mc
                data: mc.jsonl
                request: loglikelihood
                prompt: "Question: {{q}}\\nAnswer:"
                choices: c
                target: "{{g}}"
                """);
        Files.writeString(dir.resolve("ppl.yaml"), "name: ppl\ndata: mc.jsonl\nrequest: loglikelihood_rolling\nprompt: \"{{q}}\"\n");
        Files.writeString(dir.resolve("gen.yaml"), """
                name: gen
                data: mc.jsonl
                request: generate_until
                prompt: "Q: {{q}}\\nA:"
                generation: {until: ["\\n"], max_tokens: 6}
                metrics: []
                """);
        try (LocalLanguageModel inProcess = new LocalLanguageModel(MODEL, 2, 512)) {
            for (String name : List.of("mc", "ppl", "gen")) {
                Task t = TaskLoader.load(dir.resolve(name + ".yaml"), null);
                assertThat(run(remote, t)).as(name).isEqualTo(run(inProcess, t));
            }
        }
    }
}
