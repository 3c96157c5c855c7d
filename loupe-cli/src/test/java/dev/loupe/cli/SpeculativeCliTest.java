package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.gen.ModelGenerator;
import dev.loupe.core.gen.ModelShape;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.loupe.cli.CliTest.run;
import static dev.loupe.cli.CliTest.shared;
import static org.assertj.core.api.Assertions.assertThat;

/** loupe run --draft / --lookup / --rope-scaling against llama.cpp's recorded greedy tokens. */
class SpeculativeCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<Integer> ids(JsonNode a, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(a.get(i).asInt());
        return out;
    }

    @Test
    void draftAndLookupGiveLlamaCppsGreedyTokensAndReportAcceptance() throws Exception {
        Path models = shared().resolve("fixtures/models");
        JsonNode ref = JSON.readTree(shared().resolve("fixtures/reference/tiny-llama-f32.json").toFile()).get("prompts").get(0);
        String[][] variants = {{"--draft", models.resolve("tiny-llama-q4_0.gguf").toString(), "--draft-k", "3"}, {"--lookup", "--lookup-n", "2"}};
        for (String[] v : variants) {
            List<String> args = new ArrayList<>(List.of("run", "-m", models.resolve("tiny-llama-f32.gguf").toString(), "-p",
                    ref.get("prompt").asText(), "-n", "12", "--temp", "0", "--json", "-t", "2"));
            args.addAll(List.of(v));
            CliTest.Result r = run(args.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode o = JSON.readTree(r.out());
            assertThat(ids(o.get("ids"), 12)).isEqualTo(ids(ref.get("greedy_ids"), 12));
            JsonNode spec = o.get("speculative");
            assertThat(spec.get("accepted").asInt()).isBetween(0, spec.get("drafted").asInt());
            assertThat(spec.get("accepted").asInt() + spec.get("target_passes").asInt()).isEqualTo(12);
            assertThat(spec.get("drafter").asText()).startsWith(v[0].equals("--lookup") ? "lookup n=1..2" : "model tiny-llama-q4_0");
        }
        // Text mode: the acceptance line follows the speed line on stderr.
        CliTest.Result t = run("run", "-m", models.resolve("tiny-llama-f32.gguf").toString(), "-p", "Hello", "-n", "6", "--temp", "0",
                "--lookup", "-t", "2");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.err()).contains("lookup n=1..3, k=4: ").contains("tokens per target pass");
    }

    @Test
    void userMistakesAreOneLine() {
        Path models = shared().resolve("fixtures/models");
        CliTest.Result r = run("run", "-m", models.resolve("tiny-llama-f32.gguf").toString(), "-p", "Hi", "-n", "2",
                "--draft", models.resolve("tiny-qwen2-f16.gguf").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("vocabulary has 50257 tokens, the target's 32000");
        assertThat(run("run", "-p", "Hi", "--lookup", "--draft", "x.gguf").err()).contains("choose one");
        assertThat(run("run", "-p", "Hi", "--draft", "/nonexistent.gguf").err()).contains("no such draft model file");
        CliTest.Result pMin = run("run", "-m", models.resolve("tiny-llama-f32.gguf").toString(), "-p", "Hi", "-n", "2",
                "--draft", models.resolve("tiny-llama-q4_0.gguf").toString(), "--draft-p-min", "1.5");
        assertThat(pMin.code()).isEqualTo(2);
        assertThat(pMin.err()).contains("minimum confidence must be in [0, 1), got 1.5");
        CliTest.Result bad = run("run", "-p", "Hi", "-n", "1", "--rope-scaling", "longrope");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("not supported (supported: none, linear, ntk, yarn)");
    }

    /** The flags reach the engine: llama.cpp's YaRN reference (see loupe-core's test resources) token for token. */
    @Test
    void ropeScalingFlagsReproduceLlamaCppsYarnTokens(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("tiny.gguf");
        new ModelGenerator(ModelShape.preset("tiny"), GgmlType.F32, 7, null, 0).write(model, "loupe-generated", null);
        JsonNode ref = JSON.readTree(Path.of("../loupe-core/src/test/resources/reference/tiny-llama-yarn4-f32.json").toFile())
                .get("prompts").get(0);
        CliTest.Result r = run("run", "-m", model.toString(), "-p", ref.get("prompt").asText(), "-n", "12", "--temp", "0", "--json",
                "-t", "2", "--rope-scaling", "yarn", "--rope-scale", "4", "--yarn-orig-ctx", "256");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.get("prompt_ids")).isEqualTo(ref.get("prompt_ids"));
        assertThat(ids(o.get("ids"), 12)).isEqualTo(ids(ref.get("greedy_ids"), 12));
    }
}
