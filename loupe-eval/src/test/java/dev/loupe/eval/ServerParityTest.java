package dev.loupe.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.lm.LocalLanguageModel;
import dev.loupe.eval.backend.HttpPolicy;
import dev.loupe.eval.backend.OpenAiLanguageModel;
import dev.loupe.eval.run.Evaluator;
import dev.loupe.eval.run.Outcome;
import dev.loupe.eval.run.RunResult;
import dev.loupe.eval.run.SampleRecord;
import dev.loupe.eval.task.Task;
import dev.loupe.eval.task.TaskLoader;
import dev.loupe.serve.LoupeServer;
import dev.loupe.serve.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same tasks in process and through a real {@link LoupeServer} on loopback (the OpenAI client, completions with
 * echo + logprobs for log-likelihoods, raw completions for greedy generation) give the same per-sample results:
 * greedy generations, extracted answers, token counts, greedy flags, predictions and metric values exactly; the
 * log-likelihoods to float precision, because the API carries log-probs as 32-bit floats (the engine's own sums
 * are doubles over float logits).
 */
class ServerParityTest {
    static final Path MODEL = Path.of(System.getProperty("loupe.shared"), "fixtures/models/tiny-llama-f32.gguf");
    /** 1e-4 absolute, or 1e-6 relative for the large sums of a random-weight model (float32 has ~7 digits). */
    static final Comparator<Double> CLOSE = within(1e-6);
    /**
     * Perplexities are exp(-Σll/Σn): a 1e-6 relative difference in Σll becomes about 1e-6·|Σll/Σn| relative in
     * the perplexity, ~1e-5 here, where the random weights give each token a log-prob of about -100.
     */
    static final Comparator<Double> CLOSE_AGGREGATE = within(1e-5);

    static Comparator<Double> within(double relative) {
        return (a, b) -> Math.abs(a - b) <= Math.max(1e-4, relative * Math.max(Math.abs(a), Math.abs(b))) ? 0 : Double.compare(a, b);
    }
    @TempDir
    Path dir;

    record Run(List<SampleRecord> samples, RunResult result) {}

    static Run run(LanguageModel lm, Task t) {
        List<SampleRecord> out = new ArrayList<>();
        RunResult r = new Evaluator(lm, 1, 200).run(t, -1, out::add);
        return new Run(out, r);
    }

    @Test
    void inProcessAndThroughLoupeServeAgree() throws Exception {
        List<Task> tasks = tasks();
        List<Run> local = new ArrayList<>();
        try (LocalLanguageModel inProcess = new LocalLanguageModel(MODEL, 2, 512)) {
            for (Task t : tasks) local.add(run(inProcess, t));
        }
        try (LoupeServer server = LoupeServer.start(ServerOptions.defaults(MODEL.toString()).withPort(0).withThreads(2).withContextLength(512))) {
            String base = "http://127.0.0.1:" + server.port() + "/";
            String models = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String id = new ObjectMapper().readTree(models).path("data").path(0).path("id").asText();
            OpenAiLanguageModel remote = OpenAiLanguageModel.connect(base, id, false, null, HttpPolicy.defaults());
            for (int i = 0; i < tasks.size(); i++) {
                Run http = run(remote, tasks.get(i));
                Run in = local.get(i);
                String name = tasks.get(i).name();
                assertThat(http.samples()).as(name).hasSize(in.samples().size());
                assertThat(http.samples()).as(name).usingRecursiveComparison()
                        .withComparatorForType(CLOSE, Double.class).isEqualTo(in.samples());
                assertThat(http.result().metrics()).as(name).usingRecursiveComparison()
                        .withComparatorForType(CLOSE_AGGREGATE, Double.class).isEqualTo(in.result().metrics());
            }
        }
        // The comparison is not vacuous: every request type ran, and the generations produced text.
        assertThat(local).allSatisfy(r -> assertThat(r.samples()).isNotEmpty());
        assertThat(local.get(2).samples()).anySatisfy(s -> assertThat(((Outcome.Generated) s.outcome()).output()).isNotBlank());
    }

    /** Multiple choice (with a non-ASCII choice and a continuation glued to the context), rolling, generation. */
    List<Task> tasks() throws Exception {
        Files.writeString(dir.resolve("mc.jsonl"), """
                {"q": "What is 2 + 2?", "c": ["4", "five"], "g": 0}
                {"q": "Which word is French?", "c": ["café", "☕ cup"], "g": 0}
                {"q": "Finish the word: sun", "c": ["shine", "day"], "g": 0}
                """);
        Files.writeString(dir.resolve("mc.yaml"), """
                name: mc
                data: mc.jsonl
                request: loglikelihood
                prompt: "Question: {{q}}\\nAnswer:"
                choices: c
                target: "{{g}}"
                """);
        // No delimiter: "sun" + "shine" is tokenized across the seam.
        Files.writeString(dir.resolve("glue.yaml"), """
                name: glue
                data: mc.jsonl
                request: loglikelihood
                prompt: "{{q}}"
                target_delimiter: ""
                choices: c
                target: "{{g}}"
                """);
        Files.writeString(dir.resolve("ppl.yaml"), "name: ppl\ndata: mc.jsonl\nrequest: loglikelihood_rolling\nprompt: \"{{q}}\"\n");
        Files.writeString(dir.resolve("gen.yaml"), """
                name: gen
                data: mc.jsonl
                request: generate_until
                prompt: "Q: {{q}}\\nA:"
                generation: {until: ["\\n"], max_tokens: 8}
                target: "{{g}}"
                extract: {regex: "(\\\\w+)", group: 1}
                """);
        List<Task> tasks = new ArrayList<>();
        for (String name : List.of("mc", "glue", "gen", "ppl")) tasks.add(TaskLoader.load(dir.resolve(name + ".yaml"), null));
        return tasks;
    }
}
